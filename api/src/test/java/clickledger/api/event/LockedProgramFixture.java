package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An api with a pool of four connections, and clients to send it requests at once: for the tests
 * that hold a program's lock as a re-derivation does ({@link clickledger.api.ProgramLockHolder})
 * and check that its requests wait without taking the pool from everyone else.
 */
final class LockedProgramFixture implements AutoCloseable {
    static final String RULES = "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]";

    final TestApi api;
    final Ledger ledger;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    private LockedProgramFixture(TestApi api) {
        this.api = api;
        this.ledger = new Ledger(api);
    }

    /** The api with {@code environment} and DB_POOL_SIZE 4. */
    static LockedProgramFixture start(Map<String, String> environment) {
        Map<String, String> settings = new HashMap<>(environment);
        settings.put("DB_POOL_SIZE", "4");
        return new LockedProgramFixture(TestApi.start(settings));
    }

    String program() {
        return ledger.program("USD", "last_click", RULES);
    }

    /** A time a minute ago, for events. */
    Instant at() {
        return api.clock().instant().minus(Duration.ofMinutes(1));
    }

    <T> CompletableFuture<T> async(Supplier<T> request) {
        return CompletableFuture.supplyAsync(request, clients);
    }

    /** {@code count} events of the program sent at once: eventIds {@code locked-0…}, users {@code user-0…}. */
    List<CompletableFuture<TestApi.Response>> events(String programId, int count, Instant at) {
        List<CompletableFuture<TestApi.Response>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String eventId = "locked-" + i;
            String user = "user-" + i;
            sent.add(async(() -> ledger.event(programId, eventId, user, "20.00", at)));
        }
        return sent;
    }

    /** Another program's event and a plain read are answered within 3 s: the pool is not drained. */
    void assertOthersAnswered(String otherProgram, Instant at) throws Exception {
        assertThat(async(() -> ledger.event(otherProgram, "free-1", "bob", "30.00", at))
                        .get(3, TimeUnit.SECONDS)
                        .status())
                .as("another program's event")
                .isEqualTo(201);
        assertThat(async(() -> api.get("/v1/programs/" + otherProgram))
                        .get(3, TimeUnit.SECONDS)
                        .status())
                .isEqualTo(200);
    }

    /** Every one of {@link #events} recorded (201), in their order. */
    static void assertRecorded(List<CompletableFuture<TestApi.Response>> sent) throws Exception {
        for (int i = 0; i < sent.size(); i++) {
            TestApi.Response recorded = sent.get(i).get(10, TimeUnit.SECONDS);
            assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
            assertThat(recorded.json().get("eventId").asText()).isEqualTo("locked-" + i);
        }
    }

    /** Checks the ledger ({@link Ledger#close}), then stops the api and the clients. */
    @Override
    public void close() {
        try {
            ledger.close();
        } finally {
            clients.shutdownNow();
        }
    }
}
