package clickledger.db.partition;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.db.Migrations;
import clickledger.testkit.PostgresFixture;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionMaintenanceTest {
    private HikariDataSource pool;
    private DSLContext dsl;

    @BeforeEach
    void database() {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        pool = DataSources.pool("test", endpoint, 2, null);
        dsl = DataSources.dsl(pool);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    @Test
    void createsThisMonthAndTheNextThreeOnce() {
        var first = new PartitionMaintenance(dsl, at("2026-11-22T10:00:00Z"), 3, 0).run();
        assertThat(first.created())
                .containsExactly("click_y2026m11", "click_y2026m12", "click_y2027m01", "click_y2027m02");
        var second = new PartitionMaintenance(dsl, at("2026-11-23T10:00:00Z"), 3, 0).run();
        assertThat(second.created()).isEmpty();
        var nextMonth = new PartitionMaintenance(dsl, at("2026-12-01T00:00:00Z"), 3, 0).run();
        assertThat(nextMonth.created()).containsExactly("click_y2027m03");
    }

    @Test
    void rowsCaughtByTheDefaultPartitionMoveIntoTheirNewMonth() {
        UUID link = UUID.randomUUID();
        insertClick(link, "2027-06-10T12:00:00Z");
        insertClick(link, "2027-06-30T23:59:59.999Z");
        insertClick(link, "2027-07-01T00:00:00Z");
        assertThat(partitionsHolding(link)).containsOnly("click_default");

        var result = new PartitionMaintenance(dsl, at("2027-05-15T00:00:00Z"), 1, 0).run();

        assertThat(result.created()).containsExactly("click_y2027m05", "click_y2027m06");
        assertThat(partitionsHolding(link))
                .containsExactlyInAnyOrder("click_y2027m06", "click_y2027m06", "click_default");
        assertThat(dsl.fetchCount(dsl.selectFrom("click").where("link_id = ?::uuid", link.toString())))
                .isEqualTo(3);
    }

    @Test
    void retentionDetachesMonthsOlderThanTheSetting() {
        new PartitionMaintenance(dsl, at("2026-01-15T00:00:00Z"), 3, 0).run();
        var result = new PartitionMaintenance(dsl, at("2026-06-15T00:00:00Z"), 3, 3).run();
        assertThat(result.detached()).containsExactly("click_y2026m01", "click_y2026m02");
        assertThat(PartitionMaintenance.attachedPartitions(dsl))
                .doesNotContain("click_y2026m01", "click_y2026m02")
                .contains("click_y2026m03", "click_y2026m09", "click_default");
        assertThat(dsl.fetchExists(dsl.selectOne().from("pg_class").where("relname = 'click_y2026m01'")))
                .as("detached, not dropped: the month can still be archived")
                .isTrue();
    }

    @Test
    void migrationsAreIdempotent() {
        DatabaseConfig.Endpoint empty = PostgresFixture.get().newEmptyDatabase();
        assertThat(Migrations.migrate(empty).migrationsExecuted).isPositive();
        assertThat(Migrations.migrate(empty).migrationsExecuted).isZero();
    }

    private void insertClick(UUID link, String ts) {
        dsl.execute(
                "insert into click (id, ts, link_id, program_id, partner_id) values (?::uuid, ?::timestamptz, ?::uuid, ?::uuid, ?::uuid)",
                UUID.randomUUID().toString(),
                ts,
                link.toString(),
                UUID.randomUUID().toString(),
                UUID.randomUUID().toString());
    }

    private java.util.List<String> partitionsHolding(UUID link) {
        return dsl.fetch("select tableoid::regclass::text from click where link_id = ?::uuid", link.toString())
                .getValues(0, String.class);
    }
}
