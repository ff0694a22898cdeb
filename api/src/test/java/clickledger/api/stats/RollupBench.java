package clickledger.api.stats;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The click rollup's cost per run (issue 17), not a test (run by {@code bench/rollup}, never by
 * {@code make test}): fills a fresh database with {@code --clicks} clicks of today (10 million by
 * default; 1,000 partners, 2,000 links, a million visitors, 5 % bots, 2 % flagged, the dimension
 * values of {@link ClickTraits}) by COPY, lets the
 * job make its first run over them, then measures
 *
 * <ul>
 *   <li>a full rescan: the statement every run executed before (today's and yesterday's clicks
 *       counted from scratch, and their months), in a transaction rolled back afterwards;
 *   <li>a run of the job after {@code --new-clicks} new clicks (1,000), written the way a router
 *       writes them, a watermark's delay (16 s) before the run, as after a minute of traffic;
 * </ul>
 *
 * {@code --runs} times each (5), and checks that the runs counted exactly what a rescan counts.
 * Writes {@code --out} (bench/results/rollup.json).
 */
public final class RollupBench {
    private static final DateTimeFormatter COPY_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSxxx");
    private static final int PARTNERS = 1_000;
    private static final int VISITORS = 1_000_000;

    private final DSLContext dsl;
    private final SplittableRandom random = new SplittableRandom(17);
    private final UUID program = Ulid.newUuidV7(System.currentTimeMillis());
    private final UUID[] partners = new UUID[PARTNERS];
    private final UUID[] links = new UUID[PARTNERS * 2];
    private final ClickTraits traits = new ClickTraits();

    private RollupBench(DSLContext dsl) {
        this.dsl = dsl;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        long clicks = Long.parseLong(options.getOrDefault("--clicks", "10000000"));
        int newClicks = Integer.parseInt(options.getOrDefault("--new-clicks", "1000"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "5"));
        Path out = Path.of(options.getOrDefault("--out", "bench/results/rollup.json"));
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("benchmark", "click rollup per run");
        report.put("command", "bench/rollup --clicks " + clicks + " --new-clicks " + newClicks + " --runs " + runs);
        report.put("date", Instant.now().toString());
        // The api's own job makes its first run at start, then once a day: the runs measured here
        // are this process's, on the real clock.
        try (TestApi api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400", "WEBHOOK_WORKER_ENABLED", "false"))) {
            StatsSeed.awaitFirstRollupRun(api);
            api.dsl().execute("truncate click_rollup_state, click_rollup_mark, click_late_day, click_visitor");
            // The test api's clock is in 2030; this month's partition, as a running api has it.
            new PartitionMaintenance(api.dsl(), Clock.systemUTC(), 0, 0).run();
            new RollupBench(api.dsl()).run(report, clicks, newClicks, runs);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        System.out.println("wrote " + out);
    }

    private void run(ObjectNode report, long clicks, int newClicks, int runs) throws Exception {
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        seedLinks();
        long started = System.nanoTime();
        long from = today.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        seedClicks(clicks, from, now.minus(Duration.ofMinutes(2)).toEpochMilli());
        report.put("clicks", clicks);
        report.put("seedSeconds", seconds(started));
        say("%,d clicks of today in %.0f s", clicks, seconds(started));

        ClickRollup rollup = new ClickRollup(dsl, Clock.systemUTC());
        ClickRollupJob job = new ClickRollupJob(
                rollup, new MoneyRollup(dsl), Clock.systemUTC(), Duration.ofHours(1), new SimpleMeterRegistry());
        started = System.nanoTime();
        requireRun(job);
        report.put("firstRunSeconds", seconds(started));
        say("first run (counts today from scratch and records its visitors) in %.1f s", seconds(started));
        dsl.execute("vacuum analyze click, click_daily, click_daily_partner, click_daily_program, click_visitor");

        List<Double> rescans = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            rescans.add(rescan(today));
            say("full rescan %d/%d: %.0f ms", i + 1, runs, rescans.getLast());
        }
        List<Double> incremental = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            insertNewClicks(newClicks);
            // The watermark stays 15 s behind the newest mark (ClickRollup.LATE + SKEW): a run
            // 16 s after the clicks counts them, as the job's next minute would.
            Thread.sleep(16_000);
            long run = System.nanoTime();
            requireRun(job);
            incremental.add(millis(run));
            say("run after %,d new clicks %d/%d: %.1f ms", newClicks, i + 1, runs, incremental.getLast());
        }
        long pending = dsl.fetchSingle(
                        "select count(*) from click where ts >= (select watermark from click_rollup_state)")
                .get(0, Long.class);
        if (pending != 0) {
            throw new IllegalStateException(pending + " new clicks were left after the watermark");
        }
        int differing = differences(today);
        say("rollup rows differing from a count from scratch: %d", differing);
        if (differing != 0) {
            throw new IllegalStateException(differing + " rollup rows differ from a count from scratch");
        }
        double rescan = median(rescans);
        double worstRun =
                incremental.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        report.put("newClicksPerRun", newClicks);
        report.put("rowsDiffering", differing);
        report.put("medianRescanMillis", round(rescan));
        report.put("medianRunMillis", round(median(incremental)));
        report.put("worstRunMillis", round(worstRun));
        report.put("worstRunPercentOfMedianRescan", round(100 * worstRun / rescan));
        ArrayNode rescanRuns = report.putArray("rescanMillis");
        rescans.forEach(value -> rescanRuns.add(round(value)));
        ArrayNode incrementalRuns = report.putArray("runMillis");
        incremental.forEach(value -> incrementalRuns.add(round(value)));
        ArrayNode percents = report.putArray("runPercentOfMedianRescan");
        incremental.forEach(value -> percents.add(round(100 * value / rescan)));
    }

    private static void requireRun(ClickRollupJob job) {
        if (!job.runOnce()) {
            throw new IllegalStateException("the rollup job failed");
        }
    }

    /**
     * What every run did before issue 17: today and yesterday counted from scratch at every grain,
     * and their months re-summed; rolled back, so the rollups stay as the job left them.
     */
    private double rescan(LocalDate today) {
        long started = System.nanoTime();
        try {
            dsl.transaction(trx -> {
                DSLContext tx = trx.dsl();
                ClickRollup.lock(tx);
                OffsetDateTime watermark = tx.fetchSingle("select watermark from click_rollup_state")
                        .get(0, OffsetDateTime.class);
                OffsetDateTime rolledAt = Instant.now().atOffset(ZoneOffset.UTC);
                tx.fetchSingle(
                        ClickRollup.REBUILD,
                        today.minusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC),
                        watermark,
                        watermark,
                        rolledAt,
                        today.minusDays(1),
                        today);
                ClickRollup.refreshMonths(tx, today.minusDays(1), today);
                throw new RolledBack();
            });
        } catch (RolledBack expected) {
            // The point: measured, not kept.
        }
        return millis(started);
    }

    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super(null, null, false, false);
        }
    }

    /**
     * Rollup rows of today at the three grains that differ from a count from scratch up to the
     * watermark (compared inside a transaction rolled back afterwards).
     */
    private int differences(LocalDate today) {
        String figures =
                """
                select 'link' || link_id || clicks || '/' || billable || '/' || visitors from click_daily where day = ?
                union all
                select 'partner' || partner_id || clicks || '/' || billable || '/' || visitors
                  from click_daily_partner where day = ?
                union all
                select 'program' || program_id || clicks || '/' || billable || '/' || visitors
                  from click_daily_program where day = ?
                """;
        List<String> counted = dsl.fetch(figures, today, today, today).getValues(0, String.class);
        List<String> fromScratch = new ArrayList<>();
        try {
            dsl.transaction(trx -> {
                DSLContext tx = trx.dsl();
                ClickRollup.lock(tx);
                tx.execute("delete from click_daily where day = ?", today);
                tx.execute("delete from click_daily_partner where day = ?", today);
                tx.execute("delete from click_daily_program where day = ?", today);
                OffsetDateTime watermark = tx.fetchSingle("select watermark from click_rollup_state")
                        .get(0, OffsetDateTime.class);
                tx.fetchSingle(
                        ClickRollup.REBUILD,
                        today.atStartOfDay().atOffset(ZoneOffset.UTC),
                        watermark,
                        watermark,
                        watermark,
                        today,
                        today);
                fromScratch.addAll(tx.fetch(figures, today, today, today).getValues(0, String.class));
                throw new RolledBack();
            });
        } catch (RolledBack expected) {
            // Compared, not kept.
        }
        List<String> missing = new ArrayList<>(fromScratch);
        missing.removeAll(counted);
        List<String> extra = new ArrayList<>(counted);
        extra.removeAll(fromScratch);
        return missing.size() + extra.size();
    }

    private void seedLinks() {
        dsl.execute(
                "insert into program (id, slug, name, destination_url, currency) values (?, ?, 'Rollup bench',"
                        + " 'https://acme.example/', 'USD')",
                program,
                "rollup-" + program);
        for (int p = 0; p < PARTNERS; p++) {
            partners[p] = Ulid.newUuidV7(System.currentTimeMillis());
            dsl.execute(
                    "insert into partner (id, email, name) values (?, ?, 'Rollup partner')",
                    partners[p],
                    "rollup-" + partners[p] + "@example.com");
            for (int l = 0; l < 2; l++) {
                UUID link = Ulid.newUuidV7(System.currentTimeMillis());
                links[p * 2 + l] = link;
                dsl.execute(
                        "insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)",
                        link,
                        "r-" + link,
                        program,
                        partners[p]);
            }
        }
    }

    /**
     * Today's clicks in time order, as routers write them; with the triggers off for the session,
     * as a bulk load would: the late-click trigger would otherwise note today on every row.
     */
    private void seedClicks(long clicks, long from, long to) throws Exception {
        long step = Math.max(1, (to - from) / clicks);
        dsl.connection(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("set session_replication_role = replica");
            }
            StringBuilder rows = new StringBuilder(1 << 22);
            for (long i = 0; i < clicks; i++) {
                appendClick(rows, Math.min(to, from + i * step + random.nextLong(step)));
                if (rows.length() > (1 << 22) - 400) {
                    copy(connection, rows);
                }
            }
            copy(connection, rows);
            try (Statement statement = connection.createStatement()) {
                statement.execute("set session_replication_role = origin");
            }
        });
    }

    /** New clicks of now, through the same COPY with the triggers on, as a router's batch. */
    private void insertNewClicks(int count) {
        dsl.connection(connection -> {
            StringBuilder rows = new StringBuilder();
            long now = System.currentTimeMillis();
            for (int i = 0; i < count; i++) {
                appendClick(rows, now);
            }
            copy(connection, rows);
        });
    }

    private void appendClick(StringBuilder rows, long millis) {
        // Partners and visitors skewed like real traffic: a few big partners, many small ones.
        int partner = (int) (PARTNERS * Math.pow(random.nextDouble(), 3));
        int link = partner * 2 + random.nextInt(2);
        int visitor = (int) (VISITORS * Math.pow(random.nextDouble(), 2));
        int roll = random.nextInt(100);
        rows.append(Ulid.newUuidV7(millis))
                .append('\t')
                .append(COPY_TS.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC)))
                .append('\t')
                .append(links[link])
                .append('\t')
                .append(program)
                .append('\t')
                .append(partners[partner])
                .append("\t\\\\x")
                .append(HexFormat.of().formatHex(StatsSeed.ipHash(visitor)))
                .append('\t')
                .append(roll < 5 ? 't' : 'f')
                .append('\t')
                .append(roll == 5 || roll == 6 ? "burst" : "\\N");
        // Country, device, browser, OS, referrer and utm values as the stats benchmark spreads
        // them, so the dimension rollups (program and partner grains) cost what they cost in use.
        traits.append(rows, random, roll < 5);
        rows.append('\n');
    }

    private static void copy(Connection connection, StringBuilder rows) throws Exception {
        if (rows.isEmpty()) {
            return;
        }
        try (Writer out = new OutputStreamWriter(
                new PGCopyOutputStream(
                        connection.unwrap(PGConnection.class),
                        "copy click (id, ts, link_id, program_id, partner_id, ip_hash, is_bot, fraud_flag, "
                                + ClickTraits.COLUMNS + ") from stdin",
                        1 << 16),
                StandardCharsets.UTF_8)) {
            out.append(rows);
        }
        rows.setLength(0);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static double millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static void say(String format, Object... args) {
        System.out.printf("[rollup] " + format + "%n", args);
    }
}
