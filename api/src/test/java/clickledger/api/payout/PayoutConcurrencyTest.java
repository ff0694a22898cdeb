package clickledger.api.payout;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.Main;
import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No commission is ever in two payouts, however many batches run at once: concurrent
 * {@code POST /v1/payouts} for one program from several threads, to this JVM's api and to a second
 * api process (its own JVM, its own pool) on the same database, while new approved commissions
 * keep arriving. Afterwards every commission is in at most one payout, every payout is the sum of
 * its commissions, every payout made was answered to exactly one request, and nothing payable is
 * left behind.
 */
class PayoutConcurrencyTest {
    private static final int PARTNERS = 60;
    private static final int COMMISSIONS_PER_PARTNER = 12;
    private static final int REQUESTS_PER_PROCESS = 8;

    private static TestApi api;
    private static Process other;
    private static String otherUrl;
    private static Path otherLog;

    @BeforeAll
    static void start() throws Exception {
        api = TestApi.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        otherUrl = "http://127.0.0.1:" + port;
        otherLog = Files.createTempFile("payout-concurrency-api", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder =
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
        builder.environment().putAll(api.environment());
        builder.environment().put("API_PORT", Integer.toString(port));
        builder.environment().put("LOG_LEVEL", "WARN");
        builder.redirectErrorStream(true).redirectOutput(otherLog.toFile());
        other = builder.start();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(other.isAlive())
                    .as("the second api process died: " + Files.readString(otherLog))
                    .isTrue();
            try {
                if (client.send(
                                        HttpRequest.newBuilder(URI.create(otherUrl + "/readyz"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // still starting
            }
            assertThat(System.nanoTime())
                    .as("the second api process did not get ready")
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (other != null) {
            other.destroy();
            if (!other.waitFor(20, TimeUnit.SECONDS)) {
                other.destroyForcibly();
            }
            Files.deleteIfExists(otherLog);
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void concurrentBatchesFromTwoProcessesNeverPayACommissionTwice() throws Exception {
        String program = api.createProgram();
        UUID programId = Ulid.parse(program).orElseThrow();
        List<UUID> partners = new ArrayList<>();
        for (int i = 0; i < PARTNERS; i++) {
            partners.add(Ulid.parse(api.createPartner()).orElseThrow());
        }
        // Dated a day before the real time, so both processes' clocks (this one's is a test clock
        // in 2030, the other's the system's) see them as owed.
        for (UUID partner : partners) {
            seed(programId, partner, COMMISSIONS_PER_PARTNER);
        }

        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(2 * REQUESTS_PER_PROCESS + 1);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean storming = new AtomicBoolean(true);
        AtomicInteger arrived = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (String base : List.of(api.url(""), otherUrl)) {
            for (int i = 0; i < REQUESTS_PER_PROCESS; i++) {
                running.add(pool.submit(() -> {
                    go.await();
                    HttpResponse<String> response = client.send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/payouts"))
                                    .timeout(Duration.ofSeconds(120))
                                    .header("Authorization", "Bearer " + TestApi.ADMIN_KEY)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"programId\":\"%s\"}".formatted(program)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 201) {
                        failures.add(base + " " + response.statusCode() + " " + response.body());
                        return null;
                    }
                    JsonNode body = new TestApi.Response(201, Map.of(), response.body()).json();
                    body.get("items")
                            .forEach(item -> answered.add(item.get("id").asText()));
                    return null;
                }));
            }
        }
        // More approved commissions keep arriving while the batches run.
        Future<?> arrivals = pool.submit(() -> {
            go.await();
            while (storming.get()) {
                seed(programId, partners.get(arrived.getAndIncrement() % PARTNERS), 1);
            }
            return null;
        });
        go.countDown();
        for (Future<?> request : running) {
            request.get(180, TimeUnit.SECONDS);
        }
        storming.set(false);
        arrivals.get(30, TimeUnit.SECONDS);
        // A last batch pays whatever arrived after the others.
        TestApi.Response last = api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                .expect(201);
        last.json().get("items").forEach(item -> answered.add(item.get("id").asText()));
        pool.shutdown();

        assertThat(failures).isEmpty();
        assertThat(arrived.get()).isPositive();
        // Every payout made was answered, to exactly one request.
        List<UUID> made = api.dsl()
                .fetch("select id from payout where program_id = ?", programId)
                .map(row -> row.get(0, UUID.class));
        assertThat(answered).doesNotHaveDuplicates();
        assertThat(new HashSet<>(answered))
                .isEqualTo(new HashSet<>(made.stream().map(Ulid::encode).toList()));
        assertThat(made).isNotEmpty();
        // Every commission is in at most one payout, of its own partner, program and currency.
        assertThat(api.dsl()
                        .fetch(
                                """
                                select c.id from commission c join payout_commission pc on pc.commission_id = c.id
                                 where c.program_id = ? group by c.id having count(*) > 1""",
                                programId))
                .isEmpty();
        assertThat(api.dsl()
                        .fetch(
                                """
                                select pc.commission_id from payout_commission pc
                                  join payout p on p.id = pc.payout_id
                                  join commission c on c.id = pc.commission_id
                                 where p.program_id = ? and (c.partner_id <> p.partner_id or c.program_id <> p.program_id
                                       or c.currency <> p.currency or c.status <> 'approved')""",
                                programId))
                .isEmpty();
        // Every payout is exactly its commissions, and positive.
        for (Record payout : api.dsl()
                .fetch(
                        """
                        select p.id, p.amount_minor, p.commission_count,
                               (select coalesce(sum(c.amount_minor), 0) from payout_commission pc
                                  join commission c on c.id = pc.commission_id where pc.payout_id = p.id) as claimed,
                               (select count(*) from payout_commission pc where pc.payout_id = p.id) as claims
                          from payout p where p.program_id = ?""",
                        programId)) {
            assertThat(payout.get("amount_minor", Long.class))
                    .isPositive()
                    .isEqualTo(payout.get("claimed", Long.class));
            assertThat(payout.get("commission_count", Integer.class)).isEqualTo(payout.get("claims", Integer.class));
        }
        // Nothing is lost: paid out plus still owed is everything approved; what is still owed
        // nets to zero or less for every partner (it would have been paid otherwise).
        Record totals = api.dsl()
                .fetchOne(
                        """
                        select (select coalesce(sum(amount_minor), 0) from commission where program_id = {0}) as approved,
                               (select coalesce(sum(amount_minor), 0) from payout where program_id = {0}) as paid_out,
                               (select coalesce(sum(amount_minor), 0) from commission c where program_id = {0}
                                  and not exists (select 1 from payout_commission pc where pc.commission_id = c.id)) as owed""",
                        programId);
        assertThat(totals.get("paid_out", Long.class) + totals.get("owed", Long.class))
                .isEqualTo(totals.get("approved", Long.class));
        assertThat(api.dsl()
                        .fetch(
                                """
                                select partner_id from commission c where program_id = ?
                                   and not exists (select 1 from payout_commission pc where pc.commission_id = c.id)
                                 group by partner_id having sum(amount_minor) > 0""",
                                programId))
                .isEmpty();
    }

    /**
     * Approved commissions straight into PostgreSQL: {@code count} per call, amounts between -5.00
     * and 29.99, a fifth of them negative (reversals of commissions paid earlier).
     */
    private static void seed(UUID programId, UUID partnerId, int count) {
        api.dsl()
                .execute(
                        """
                        with events as (
                            insert into event (id, program_id, user_id, type, value_minor, currency, ts, created_at)
                            select gen_random_uuid(), {0}, 'buyer-' || g, 'purchase', 10000, 'USD',
                                   now() - interval '1 day', now() - interval '1 day'
                              from generate_series(1, {2}) g
                            returning id
                        )
                        insert into commission (id, event_id, partner_id, program_id, amount_minor, currency, status,
                                                hold_until, kind, created_at, updated_at)
                        select gen_random_uuid(), id, {1}, {0},
                               case when random() < 0.2 then -1 - floor(random() * 500)::bigint
                                    else 1 + floor(random() * 2999)::bigint end,
                               'USD', 'approved', now() - interval '1 day',
                               'commission', now() - interval '1 day', now() - interval '1 day'
                          from events""",
                        programId, partnerId, count);
    }
}
