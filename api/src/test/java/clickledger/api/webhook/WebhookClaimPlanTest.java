package clickledger.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.db.Pipeline;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The claim's cost does not depend on what the last analyze of webhook_delivery happened to see
 * (issue 17, 0003 "The slow drain: a plan flip"). Before V78 the in-flight count had three plans to
 * choose from, and after an autoanalyze in the middle of a drain the planner took a BitmapAnd that
 * read, on every claim, every lease taken since the last vacuum: one drain in three took twice as
 * long. Here a drain runs with autovacuum off (its dead row versions stay), the table is analyzed
 * before and in the middle of it, and each time the claim's plan is checked under EXPLAIN ANALYZE.
 */
class WebhookClaimPlanTest {
    private static final int ENDPOINTS = 4;
    private static final int PER_ENDPOINT = 8;
    private static final Duration LEASE = Duration.ofSeconds(50);
    private static final Outcome OK = new Outcome(204, 1, null, null, Optional.empty());

    @Test
    void theInFlightCountReadsOnlyLeasesStillHeldWhateverTheLastAnalyzeSaw() {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER)) {
            for (int i = 0; i < ENDPOINTS; i++) {
                WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/endpoint-" + i);
            }
            api.dsl().execute("alter table webhook_delivery set (autovacuum_enabled = off)");
            List<WebhookEvent> events = new ArrayList<>();
            for (int i = 0; i < 2_500; i++) {
                events.add(new WebhookEvent(WebhookEvents.PARTNER_CREATED, Map.of("n", i), "partner-" + i, i));
            }
            api.dsl().transaction(trx -> new WebhookOutbox(api.clock()).publish(trx.dsl(), events));
            Instant now = api.clock().instant();

            // As the bench does after queueing: everything pending, nothing leased.
            api.dsl().execute("analyze webhook_delivery");
            assertCountFromTheInFlightIndex(api, now, "after an analyze of a queue with nothing in flight");

            // 8,000 of the 10,000 delivered as the worker does it (each claim carries the previous
            // claim's outcomes), the last claim's deliveries left in flight; then an analyze, as
            // autoanalyze runs in the middle of a drain.
            List<DeliveryRepository.Claimed> inFlight = new ArrayList<>();
            Instant later = drain(api, now, 8_000, inFlight);
            assertThat(inFlight).hasSize(ENDPOINTS * PER_ENDPOINT);
            api.dsl().execute("analyze webhook_delivery");
            int countBuffers = assertCountFromTheInFlightIndex(api, later, "after an analyze in the middle of a drain");

            // The index holds the leases in flight and, until a scan marks them, those just given
            // back; not the 8,000 taken before (each claim's scan marked the dead ones it met, and
            // the page the next leases went into dropped them before it would split). So counting
            // reads an index page or two per endpoint and the row of each of those leases (to see
            // it is current): about 17 buffers per endpoint here, against thousands when a bitmap
            // scan reads every lease since the last vacuum. The bound leaves room for three times that:
            // a scan marks a dead lease only once no snapshot can see it, and another session's
            // open transaction can hold that back for a moment (the likely reason CI's PgBouncer
            // pass on PostgreSQL 15 once read 108 buffers, 27 per endpoint, with the right plan).
            // The plan flip this guards against reads thousands.
            assertThat(countBuffers).isLessThanOrEqualTo(ENDPOINTS * 50);
            long pages = api.dsl()
                    .fetchSingle("select pg_relation_size('webhook_delivery_in_flight_idx') / 8192")
                    .get(0, Long.class);
            assertThat(pages).isLessThanOrEqualTo(ENDPOINTS * 2L);
        }
    }

    /**
     * Claims and marks delivered until {@code deliveries} are delivered, one claim every 20 ms from
     * {@code start} (about the bench's pace: every lease the drain takes is still in the count's
     * range, the last 50 s, and each claim's leases end at a time of their own); {@code leased} gets
     * the last claim's deliveries, still leased. Returns the last claim's time.
     */
    private static Instant drain(TestApi api, Instant start, int deliveries, List<DeliveryRepository.Claimed> leased) {
        DeliveryRepository repository = new DeliveryRepository(api.dsl());
        int delivered = 0;
        for (Instant now = start; ; now = now.plusMillis(20)) {
            Pipeline pipeline = new Pipeline();
            if (!leased.isEmpty()) {
                Instant attemptedAt = now;
                List<DeliveryRepository.Delivered> done = leased.stream()
                        .map(claimed -> new DeliveryRepository.Delivered(claimed, attemptedAt, OK))
                        .toList();
                DeliveryRepository.recordDelivered(pipeline, done, new HashSet<>());
                delivered += done.size();
            }
            List<DeliveryRepository.Claimed> claimed =
                    DeliveryRepository.claim(pipeline, ENDPOINTS * PER_ENDPOINT, PER_ENDPOINT, now, LEASE);
            repository.run(pipeline);
            leased.clear();
            leased.addAll(claimed);
            if (delivered >= deliveries) {
                return now;
            }
        }
    }

    /**
     * EXPLAIN ANALYZE of the claim, rolled back: no bitmap scan anywhere, and the in-flight count
     * ({@code f}) an index scan of webhook_delivery_in_flight_idx on the endpoint and the lease end.
     * Returns the buffers the count read, over all endpoints.
     */
    private static int assertCountFromTheInFlightIndex(TestApi api, Instant now, String when) {
        AtomicReference<String> json = new AtomicReference<>();
        api.dsl().connection(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                explain(connection, now, json);
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        });
        JsonNode plan;
        try {
            plan = Json.MAPPER.readTree(json.get()).get(0).get("Plan");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        List<JsonNode> nodes = new ArrayList<>();
        collect(plan, nodes);
        assertThat(nodes)
                .as("%s: no bitmap scan in the claim's plan:%n%s", when, json.get())
                .noneMatch(node -> node.path("Node Type").asText().contains("Bitmap"));
        List<JsonNode> counts = nodes.stream()
                .filter(node -> "f".equals(node.path("Alias").asText()))
                .toList();
        assertThat(counts)
                .as("%s: the in-flight count's scan:%n%s", when, json.get())
                .hasSize(1);
        JsonNode count = counts.get(0);
        assertThat(count.path("Node Type").asText()).as(when).isIn("Index Scan", "Index Only Scan");
        assertThat(count.path("Index Name").asText()).as(when).isEqualTo("webhook_delivery_in_flight_idx");
        assertThat(count.path("Index Cond").asText())
                .as(when)
                .contains("endpoint_id")
                .contains("next_attempt_at");
        return count.path("Shared Hit Blocks").asInt()
                + count.path("Shared Read Blocks").asInt();
    }

    private static void explain(Connection connection, Instant now, AtomicReference<String> json)
            throws java.sql.SQLException {
        new Pipeline()
                .query(
                        "explain (analyze, buffers, format json) " + DeliveryRepository.CLAIM,
                        rows -> {
                            rows.next();
                            json.set(rows.getString(1));
                        },
                        UUID.randomUUID(),
                        now.plus(LEASE),
                        now,
                        now,
                        PER_ENDPOINT,
                        now,
                        PER_ENDPOINT,
                        ENDPOINTS * PER_ENDPOINT)
                .run(connection);
    }

    private static void collect(JsonNode node, List<JsonNode> into) {
        into.add(node);
        for (JsonNode child : node.path("Plans")) {
            collect(child, into);
        }
    }
}
