package clickledger.api.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Finished deliveries and mail go after their retention, batch by batch; nothing pending ever does. */
class OutboxRetentionTest {
    private static final Instant NOW = Instant.parse("2031-06-01T12:00:00Z");

    private TestApi api;
    private DSLContext dsl;
    private UUID endpoint;

    @BeforeEach
    void start() {
        // No worker: nothing may try to reach the endpoint's address.
        api = TestApi.start(Map.of("WEBHOOK_WORKER_ENABLED", "false"));
        dsl = api.dsl();
        String id = api.post("/v1/webhooks", "{\"url\":\"https://8.8.8.8/hook\"}")
                .expect(201)
                .json()
                .get("id")
                .asText();
        endpoint = Ulid.parse(id).orElseThrow();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void finishedRowsPastTheirRetentionGoAndEverythingElseStays() {
        UUID oldDelivered = delivery("delivered", days(91));
        UUID oldDead = delivery("dead", days(200));
        UUID oldPending = delivery("pending", days(120));
        UUID youngDelivered = delivery("delivered", days(89));
        attempt(oldDelivered);
        attempt(oldDelivered);
        attempt(oldDead);
        attempt(youngDelivered);
        UUID oldSent = mail("sent", days(31));
        UUID oldExpired = mail("expired", days(40));
        UUID oldDeadMail = mail("dead", days(300));
        UUID oldPendingMail = mail("pending", days(35));
        UUID youngSent = mail("sent", days(29));

        OutboxRetention.Result result =
                retention(new OutboxRetention.Settings(90, 30), 1_000).runOnce();

        assertThat(result).isEqualTo(new OutboxRetention.Result(2, 3, 3));
        assertThat(ids("webhook_delivery")).containsExactlyInAnyOrder(oldPending, youngDelivered);
        assertThat(dsl.fetchCount(dsl.selectFrom("webhook_attempt"))).isEqualTo(1);
        assertThat(ids("mail_message")).containsExactlyInAnyOrder(oldPendingMail, youngSent);
        assertThat(ids("webhook_delivery")).doesNotContain(oldDelivered, oldDead);
        assertThat(ids("mail_message")).doesNotContain(oldSent, oldExpired, oldDeadMail);
    }

    @Test
    void aBacklogLargerThanABatchGoesInOneRun() {
        for (int i = 0; i < 7; i++) {
            attempt(delivery("delivered", days(100).plusSeconds(i)));
            // Pending rows between them: the scan must step past them, not stop at them.
            delivery("pending", days(100).plusSeconds(i).plusMillis(500));
            mail("sent", days(100).plusSeconds(i));
        }

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutboxRetention.Result result = new OutboxRetention(
                        dsl, Clock.fixed(NOW, ZoneOffset.UTC), new OutboxRetention.Settings(90, 30), registry, 2)
                .runOnce();

        assertThat(result).isEqualTo(new OutboxRetention.Result(7, 7, 7));
        for (String table : new String[] {"webhook_delivery", "webhook_attempt", "mail_message"}) {
            assertThat(registry.get("clickledger_retention_deleted_total")
                            .tag("table", table)
                            .counter()
                            .count())
                    .as(table)
                    .isEqualTo(7.0);
        }
        assertThat(dsl.fetchCount(dsl.selectFrom("webhook_delivery"))).isEqualTo(7);
        assertThat(dsl.fetchCount(dsl.selectFrom("mail_message"))).isZero();
    }

    @Test
    void zeroKeepsEverything() {
        attempt(delivery("delivered", days(3_000)));
        mail("sent", days(3_000));

        OutboxRetention.Result result =
                retention(new OutboxRetention.Settings(0, 0), 1_000).runOnce();

        assertThat(result).isEqualTo(new OutboxRetention.Result(0, 0, 0));
        assertThat(dsl.fetchCount(dsl.selectFrom("webhook_delivery"))).isEqualTo(1);
        assertThat(dsl.fetchCount(dsl.selectFrom("mail_message"))).isEqualTo(1);
    }

    @Test
    void theFirstIdOfAnInstantSortsBelowEveryIdMadeThenOrLater() {
        Instant instant = Instant.parse("2031-01-01T00:00:00.123Z");
        UUID first = OutboxRetention.firstIdAt(instant);

        for (int i = 0; i < 1_000; i++) {
            UUID same = Ulid.newUuidV7(instant.toEpochMilli());
            UUID earlier = Ulid.newUuidV7(instant.toEpochMilli() - 1);
            assertThat(compareLikePostgres(first, same)).isLessThanOrEqualTo(0);
            assertThat(compareLikePostgres(earlier, first)).isNegative();
        }
        assertThat(Ulid.instant(first)).isEqualTo(instant);
    }

    private OutboxRetention retention(OutboxRetention.Settings settings, int batchSize) {
        return new OutboxRetention(
                dsl, Clock.fixed(NOW, ZoneOffset.UTC), settings, new SimpleMeterRegistry(), batchSize);
    }

    private static Instant days(int ago) {
        return NOW.minus(Duration.ofDays(ago));
    }

    private UUID delivery(String status, Instant createdAt) {
        UUID id = Ulid.newUuidV7(createdAt.toEpochMilli());
        dsl.execute(
                "insert into webhook_delivery (id, endpoint_id, event_type, payload, status, created_at, next_attempt_at)"
                        + " values (?, ?, 'webhook.test', '{}'::jsonb, ?, ?::timestamptz, ?::timestamptz)",
                id,
                endpoint,
                status,
                createdAt.atOffset(ZoneOffset.UTC),
                createdAt.atOffset(ZoneOffset.UTC));
        return id;
    }

    private void attempt(UUID delivery) {
        dsl.execute(
                "insert into webhook_attempt (id, delivery_id, attempted_at, status_code) values (?, ?, ?::timestamptz, 500)",
                UUID.randomUUID(),
                delivery,
                NOW.atOffset(ZoneOffset.UTC));
    }

    private UUID mail(String status, Instant createdAt) {
        UUID id = Ulid.newUuidV7(createdAt.toEpochMilli());
        dsl.execute(
                "insert into mail_message (id, kind, recipient, subject, status, next_attempt_at, created_at)"
                        + " values (?, 'password_reset', 'ada@example.com', 'Reset', ?, ?::timestamptz, ?::timestamptz)",
                id,
                status,
                createdAt.atOffset(ZoneOffset.UTC),
                createdAt.atOffset(ZoneOffset.UTC));
        return id;
    }

    private java.util.List<UUID> ids(String table) {
        return dsl.fetch("select id from " + table).getValues(0, UUID.class);
    }

    // PostgreSQL orders uuids as unsigned bytes; Java's UUID.compareTo compares signed longs.
    private static int compareLikePostgres(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
