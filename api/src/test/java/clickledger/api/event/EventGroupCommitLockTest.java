package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ProgramLockHolder;
import clickledger.api.TestApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A re-derivation holds its program's lock exclusively for as long as it runs (minutes for a big
 * program). The event group commit's writer must not wait behind it: with one writer (the
 * default), every other program's events queued behind the locked one and were answered 503 when
 * their wait ran out. Now the writer gives up on the lock after {@link clickledger.api.attribution.UserLock#BATCH_LOCK_TIMEOUT}
 * and hands the locked program's events back to their requests, which wait alone.
 */
class EventGroupCommitLockTest {
    private static final Pattern ALONE_TOTAL =
            Pattern.compile("(?m)^clickledger_event_group_alone_total(?:\\{[^}]*})? (\\S+)$");
    private static final String RULES = "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]";
    private static final ExecutorService clients = Executors.newCachedThreadPool();
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start(
                Map.of("EVENT_GROUP_COMMIT", "true", "EVENT_GROUP_COMMIT_WRITERS", "1", "DB_POOL_SIZE", "4"));
        ledger = new Ledger(api);
    }

    @AfterAll
    static void stop() {
        try {
            ledger.close();
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aProgramUnderReDerivationDoesNotHoldUpOtherProgramsEvents() throws Exception {
        String locked = ledger.program("USD", "last_click", RULES);
        String free = ledger.program("USD", "last_click", RULES);
        Instant at = api.clock().instant().minus(Duration.ofMinutes(1));
        // What RederiveService does first: the program's lock, exclusively, until it commits.
        try (ProgramLockHolder lock = ProgramLockHolder.hold(api, locked)) {
            double handedBack = handedBack();
            // More of the locked program's events than the pool (TestApi's DB_POOL_SIZE 4) has
            // connections: handed back, at most GroupCommit.ALONE_AT_ONCE of them wait for the lock
            // on a connection, the others for a turn, so the pool stays free for everyone else.
            List<CompletableFuture<TestApi.Response>> waiting = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String eventId = "locked-" + i;
                String user = "user-" + i;
                waiting.add(
                        CompletableFuture.supplyAsync(() -> ledger.event(locked, eventId, user, "20.00", at), clients));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (handedBack() < handedBack + 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(handedBack())
                    .as("the locked program's events handed back")
                    .isEqualTo(handedBack + 6);

            CompletableFuture<TestApi.Response> other =
                    CompletableFuture.supplyAsync(() -> ledger.event(free, "free-1", "bob", "30.00", at), clients);
            assertThat(other.get(3, TimeUnit.SECONDS).status()).isEqualTo(201);
            assertThat(CompletableFuture.supplyAsync(() -> api.get("/v1/programs/" + free), clients)
                            .get(3, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo(200);
            assertThat(waiting)
                    .as("the locked program's events wait for the lock")
                    .noneMatch(Future::isDone);

            lock.release();
            for (int i = 0; i < waiting.size(); i++) {
                TestApi.Response recorded = waiting.get(i).get(10, TimeUnit.SECONDS);
                assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
                assertThat(recorded.json().get("eventId").asText()).isEqualTo("locked-" + i);
            }
        }
        // The same event again is the stored one (200), and the program's next event goes through the group.
        assertThat(ledger.event(locked, "locked-1", "user-1", "20.00", at).status())
                .isEqualTo(200);
        double before = handedBack();
        assertThat(ledger.event(locked, "locked-next", "ada", "25.00", at).status())
                .isEqualTo(201);
        assertThat(handedBack()).isEqualTo(before);
    }

    /** clickledger_event_group_alone_total: events the group handed back to be recorded one by one. */
    private static double handedBack() {
        Matcher sample = ALONE_TOTAL.matcher(api.get("/metrics").body());
        assertThat(sample.find())
                .as("clickledger_event_group_alone_total in /metrics")
                .isTrue();
        return Double.parseDouble(sample.group(1));
    }
}
