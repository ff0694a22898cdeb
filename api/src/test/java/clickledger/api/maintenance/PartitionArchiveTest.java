package clickledger.api.maintenance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.storage.FsStorage;
import clickledger.db.partition.PartitionMaintenance;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Retention with CLICK_ARCHIVE=true: a month past CLICK_RETENTION_MONTHS is detached, written to
 * the storage as gzipped CSV with every row, and only then dropped; the partition metrics show
 * what is left. (S3StorageTest runs the same with a bucket.)
 */
class PartitionArchiveTest {
    @Test
    void anExpiredMonthIsArchivedWithEveryRowThenDropped() throws Exception {
        try (TestApi api = TestApi.start(Map.of("CLICK_RETENTION_MONTHS", "2", "CLICK_ARCHIVE", "true"))) {
            OldClicks.Month month = OldClicks.month(api, 5, 3);
            String kept = month.ledger()
                    .click(
                            month.program(),
                            month.partner(),
                            api.clock().instant().minus(Duration.ofDays(1)));
            String expired = month.table();
            YearMonth now = YearMonth.from(api.clock().instant().atOffset(ZoneOffset.UTC));

            assertThat(api.app().maintenance().runOnce()).isTrue();

            FsStorage storage = (FsStorage) api.app().storage();
            Path file = storage.path(PartitionArchive.key(expired));
            assertThat(file).exists();
            String csv;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                csv = new String(in.readAllBytes(), UTF_8);
            }
            assertThat(csv.lines()).hasSize(4).first().asString().startsWith("id,ts,link_id");
            try (var staged = Files.list(storage.root().resolve(".staging"))) {
                assertThat(staged).isEmpty();
            }
            assertThat(api.dsl()
                            .fetchOne("select to_regclass(?)::text", expired)
                            .get(0, String.class))
                    .isNull();
            api.get("/v1/clicks/" + kept).expect(200);

            String metrics = api.get("/metrics").expect(200).body();
            assertThat(series(metrics, "clickledger_click_partition_bytes", PartitionMaintenance.partitionName(now)))
                    .containsExactly("attached");
            // Two months back ended a month and a half ago: its age is in days, and more than 28.
            assertThat(value(
                            metrics,
                            "clickledger_click_partition_age_days",
                            PartitionMaintenance.partitionName(now.minusMonths(2))))
                    .isBetween(28.0, 62.0);
            assertThat(metrics).doesNotContain(expired);
        }
    }

    @Test
    void whenTheStorageFailsTheMonthStaysAsATableForTheNextRun() throws Exception {
        try (TestApi api = TestApi.start(Map.of("CLICK_RETENTION_MONTHS", "2", "CLICK_ARCHIVE", "true"))) {
            String expired = OldClicks.month(api, 4, 1).table();
            // A file where the archive's directory must go: every write under it fails.
            FsStorage storage = (FsStorage) api.app().storage();
            Files.createDirectories(storage.root());
            Files.writeString(storage.root().resolve("archive"), "in the way");

            assertThat(api.app().maintenance().runOnce()).isFalse();

            assertThat(api.dsl().fetchValue("select count(*) from " + expired)).isEqualTo(1L);
            assertThat(series(api.get("/metrics").expect(200).body(), "clickledger_click_partition_bytes", expired))
                    .containsExactly("detached");

            Files.delete(storage.root().resolve("archive"));
            assertThat(api.app().maintenance().runOnce()).isTrue();
            assertThat(storage.path(PartitionArchive.key(expired))).exists();
            assertThat(api.dsl()
                            .fetchOne("select to_regclass(?)::text", expired)
                            .get(0, String.class))
                    .isNull();
        }
    }

    @Test
    void withoutArchivingADetachedMonthStaysAndTheMetricsSaySo() throws Exception {
        try (TestApi api = TestApi.start(Map.of("CLICK_RETENTION_MONTHS", "2"))) {
            YearMonth now = YearMonth.from(api.clock().instant().atOffset(ZoneOffset.UTC));
            YearMonth old = now.minusMonths(6);
            PartitionMaintenance.ensureMonths(api.dsl(), old, now);
            String expired = PartitionMaintenance.partitionName(old);

            assertThat(api.app().maintenance().runOnce()).isTrue();

            assertThat(api.dsl()
                            .fetchOne("select to_regclass(?)::text", expired)
                            .get(0, String.class))
                    .isEqualTo(expired);
            String metrics = api.get("/metrics").expect(200).body();
            assertThat(series(metrics, "clickledger_click_partition_bytes", expired))
                    .containsExactly("detached");
            assertThat(value(metrics, "clickledger_click_partition_age_days", expired))
                    .isGreaterThan(100.0);
        }
    }

    private static final Pattern SERIES = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);

    /** The {@code state} label of each series of {@code metric} for {@code partition}, whatever the label order. */
    static List<String> series(String metrics, String metric, String partition) {
        List<String> states = new ArrayList<>();
        Matcher matcher = SERIES.matcher(metrics);
        while (matcher.find()) {
            String labels = matcher.group(2);
            if (matcher.group(1).equals(metric) && labels.contains("partition=\"" + partition + "\"")) {
                Matcher state = Pattern.compile("state=\"(\\w+)\"").matcher(labels);
                states.add(state.find() ? state.group(1) : "");
            }
        }
        return states;
    }

    static double value(String metrics, String metric, String partition) {
        Matcher matcher = SERIES.matcher(metrics);
        while (matcher.find()) {
            if (matcher.group(1).equals(metric) && matcher.group(2).contains("partition=\"" + partition + "\"")) {
                return Double.parseDouble(matcher.group(3));
            }
        }
        throw new AssertionError("no " + metric + " for " + partition + " in\n" + metrics);
    }
}
