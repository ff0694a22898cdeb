package clickledger.api.stats;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.program.ProgramId;
import clickledger.common.id.Ulid;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live click counter: exact (rollup plus the clicks after it), and one query per interval per
 * program however many callers, counted at the database edge by a jOOQ execute listener that sees
 * every statement the counter sends.
 */
class LiveClicksTest {
    private static final Instant NOW = Instant.parse("2030-01-15T10:00:00Z");
    private static TestApi api;
    private static String programId;
    private static String otherProgramId;

    @BeforeAll
    static void seed() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400", "LIVE_STATS_SECONDS", "2"));
        StatsSeed.awaitFirstRollupRun(api);
        programId = api.createProgram();
        otherProgramId = api.createProgram();
        String partnerId = api.createPartner();
        String linkId = api.post(
                        "/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programId, partnerId))
                .expect(201)
                .json()
                .get("id")
                .asText();
        api.clock().set(NOW);
        // Other programs' traffic, so the planner chooses as it would in a real installation: a
        // hundred thousand clicks over the month, a quarter of them today.
        api.dsl()
                .execute(
                        """
                insert into click (id, ts, link_id, program_id, partner_id)
                select gen_random_uuid(), timestamptz '2030-01-15 10:00:00+00' - n * interval '20 seconds',
                       gen_random_uuid(), ('00000000-0000-7000-8000-' || lpad((n % 50)::text, 12, '0'))::uuid,
                       gen_random_uuid()
                from generate_series(1, 100000) n""");
        api.dsl()
                .execute(
                        """
                insert into click_daily_program (day, program_id, clicks, billable, visitors)
                select d::date, ('00000000-0000-7000-8000-' || lpad(p::text, 12, '0'))::uuid, 100, 90, 80
                from generate_series(0, 49) p
                cross join generate_series(date '2029-01-15', date '2030-01-14', interval '1 day') d""");
        // Yesterday: counted nowhere. Today before the rollup: five at 08:50, one at 09:30.
        clicks(linkId, partnerId, Instant.parse("2030-01-14T22:00:00Z"), 2);
        clicks(linkId, partnerId, Instant.parse("2030-01-15T08:50:00Z"), 5);
        clicks(linkId, partnerId, Instant.parse("2030-01-15T09:30:00Z"), 1);
        new ClickRollup(api.dsl(), api.clock()).rebuild(LocalDate.parse("2030-01-15"), LocalDate.parse("2030-01-15"));
        // After the rollup's through (now - 5 s): three, counted live.
        clicks(linkId, partnerId, Instant.parse("2030-01-15T09:59:58Z"), 3);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static void clicks(String linkId, String partnerId, Instant at, int count) {
        for (int i = 0; i < count; i++) {
            Instant ts = at.plusMillis(i);
            api.dsl()
                    .insertInto(CLICK)
                    .set(CLICK.ID, Ulid.newUuidV7(ts.toEpochMilli()))
                    .set(CLICK.TS, ts.atOffset(ZoneOffset.UTC))
                    .set(CLICK.LINK_ID, uuid(linkId))
                    .set(CLICK.PROGRAM_ID, uuid(programId))
                    .set(CLICK.PARTNER_ID, uuid(partnerId))
                    .execute();
        }
    }

    private static UUID uuid(String id) {
        return Ulid.parse(id).orElseThrow();
    }

    @Test
    void countsTodayFromTheRollupPlusTheClicksAfterIt() {
        TestApi.Response response =
                api.get("/v1/stats/live?programId=" + programId).expect(200);

        assertThat(response.json().get("programId").asText()).isEqualTo(programId);
        assertThat(response.json().get("clicksToday").asLong()).isEqualTo(9);
        assertThat(response.json().get("clicksLastHour").asLong()).isEqualTo(4);
        assertThat(response.json().get("asOf").asText()).startsWith("2030-01-15T");
        assertThat(response.header("Cache-Control")).isEqualTo("private, max-age=2");
        assertThat(api.get("/v1/stats/live?programId=" + otherProgramId)
                        .expect(200)
                        .json()
                        .get("clicksToday")
                        .asLong())
                .isZero();
    }

    @Test
    void aHundredCallersCostOneQueryPerIntervalPerProgram() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        DSLContext counted = api.dsl()
                .configuration()
                .derive(new DefaultExecuteListenerProvider(ExecuteListener.onStart(ctx -> queries.incrementAndGet())))
                .dsl();
        LiveClicks live = new LiveClicks(counted, api.clock(), Duration.ofSeconds(2));
        ProgramId program = ProgramId.parse("programId", programId);
        ProgramId other = ProgramId.parse("programId", otherProgramId);

        for (int interval = 1; interval <= 3; interval++) {
            List<Long> seen = callConcurrently(
                    100, () -> live.current(program).orElseThrow().clicksToday());
            callConcurrently(100, () -> live.current(other).orElseThrow().clicksToday());

            assertThat(seen).containsOnly(9L);
            assertThat(queries.get()).as("after interval " + interval).isEqualTo(2 * interval);
            api.clock().advance(Duration.ofSeconds(2));
        }
    }

    @Test
    void unknownProgramIs404AndBadInputIs400() {
        assertThat(api.get("/v1/stats/live?programId=01J00000000000000000000000")
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/v1/stats/live").errorFields()).containsExactly("programId");
        assertThat(api.get("/v1/stats/live?programId=nope").errorFields()).containsExactly("programId");
    }

    @Test
    void theQueryReadsTheRollupKeyAndTheProgramTimeIndex() {
        List<String> plan = new ArrayList<>();
        LocalDate today = LocalDate.parse("2030-01-15");
        api.dsl().execute("analyze click");
        api.dsl().execute("analyze click_daily_program");
        api.dsl()
                .resultQuery(
                        "explain " + LiveClicks.SQL,
                        uuid(programId),
                        uuid(programId),
                        today,
                        uuid(programId),
                        NOW.atOffset(ZoneOffset.UTC).minusHours(10),
                        NOW.atOffset(ZoneOffset.UTC),
                        today,
                        NOW.atOffset(ZoneOffset.UTC).minusHours(10),
                        NOW.atOffset(ZoneOffset.UTC),
                        uuid(programId),
                        NOW.atOffset(ZoneOffset.UTC).minusHours(1),
                        NOW.atOffset(ZoneOffset.UTC))
                .fetch()
                .forEach(row -> plan.add(row.get(0, String.class)));
        String text = String.join("\n", plan);

        // Each month's partition has its own copy of click_program_ts_idx, named after it.
        assertThat(text).contains("click_daily_program_pkey").contains("click_y2030m01_program_id_ts_idx");
        assertThat(text).doesNotContainPattern("Seq Scan on click_y\\d{4}m\\d{2}");
    }

    private static <T> List<T> callConcurrently(int callers, java.util.concurrent.Callable<T> call) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }
}
