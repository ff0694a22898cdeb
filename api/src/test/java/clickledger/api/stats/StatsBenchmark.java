package clickledger.api.stats;

import clickledger.api.ApiApp;
import clickledger.api.ApiConfig;
import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.db.Migrations;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.testkit.PostgresFixture;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * "Dashboard stats at 10 million clicks" (issue 5): generates a year of traffic for one program
 * with 1,000 partners by COPY (clicks over 12 monthly partitions, and conversions, attribution,
 * commissions and refunds in proportion), rolls the clicks up as the api's job does, starts the
 * real api on it and times the stats requests a dashboard makes over HTTP. Writes
 * {@code bench/results/stats.json} and the section of {@code docs/PERFORMANCE.md}.
 *
 * <p>Run with {@code bench/stats.sh} (see there for the settings). Not a test: it runs through
 * surefire only for the reactor's test classpath, and its name keeps it out of {@code make test}.
 */
public final class StatsBenchmark {
    static final String COMMAND = "bench/stats.sh";
    private static final String ADMIN_KEY = "bench-admin-key-0123456789abcdef";
    private static final long FLOOR_P95_MILLIS = 100;
    private static final DateTimeFormatter COPY_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSxxx");
    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Settings settings;
    private final Instant now = Instant.now();
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private UUID program;
    private UUID[] partners;
    private UUID[][] links;
    private double[] partnerCumulative;

    record Settings(
            long clicks, int partners, int conversions, int samples, int warmup, int runs, Path root, boolean write) {
        static Settings fromSystemProperties() {
            return new Settings(
                    Long.getLong("bench.clicks", 10_000_000L),
                    Integer.getInteger("bench.partners", 1_000),
                    Integer.getInteger("bench.conversions", 100_000),
                    Integer.getInteger("bench.samples", 100),
                    Integer.getInteger("bench.warmup", 10),
                    Integer.getInteger("bench.runs", 3),
                    Path.of(System.getProperty("bench.root", ".."))
                            .toAbsolutePath()
                            .normalize(),
                    Boolean.parseBoolean(System.getProperty("bench.write", "true")));
        }
    }

    /** One scenario: a request a dashboard makes, with the partner picked per request when it names one. */
    record Scenario(String name, IntFunction<String> path) {}

    private StatsBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new StatsBenchmark(Settings.fromSystemProperties()).run();
    }

    void run() throws Exception {
        say("stats benchmark: %,d clicks, %,d partners, %,d conversions; %d runs of %d requests per scenario"
                .formatted(
                        settings.clicks(),
                        settings.partners(),
                        settings.conversions(),
                        settings.runs(),
                        settings.samples()));
        DatabaseConfig.Endpoint database;
        String url = System.getProperty("bench.databaseUrl", "");
        if (url.isBlank()) {
            database = PostgresFixture.get().newDatabase();
            facts.put("database", PostgresFixture.get().source());
        } else {
            // An empty database of the caller's, which keeps the data afterwards for a closer look.
            database = DatabaseConfig.parseUrl(url);
            Migrations.migrate(database);
            facts.put("database", "BENCH_DATABASE_URL");
        }
        say("database: " + facts.get("database") + " " + database.jdbcUrl());
        DSLContext dsl;
        try (var pool = DataSources.pool("bench", database, 4, null)) {
            dsl = DataSources.dsl(pool);
            recordServer(dsl);
            createProgram(dsl);
            YearMonth first = YearMonth.from(now.atOffset(ZoneOffset.UTC)).minusMonths(11);
            new PartitionMaintenance(
                            dsl,
                            Clock.fixed(first.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
                            14,
                            0)
                    .run();
            long started = System.nanoTime();
            generateClicks(database, first);
            facts.put("generateClicksSeconds", seconds(started));
            started = System.nanoTime();
            generateConversions(database, first);
            facts.put("generateConversionsSeconds", seconds(started));
            started = System.nanoTime();
            say("vacuum analyze...");
            execute(database, "vacuum analyze");
            facts.put("vacuumSeconds", seconds(started));
            rollUp(dsl, database);
        }
        Map<String, List<Measurement>> results = measure(database);
        report(results);
    }

    private void recordServer(DSLContext dsl) {
        Map<String, String> server = new LinkedHashMap<>();
        for (String name : List.of(
                "server_version",
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "jit",
                "max_parallel_workers_per_gather",
                "fsync",
                "synchronous_commit")) {
            server.put(
                    name,
                    dsl.fetchSingle("select current_setting('" + name + "')").get(0, String.class));
        }
        facts.put("postgres", server);
        facts.put("cpus", Runtime.getRuntime().availableProcessors());
        facts.put("java", System.getProperty("java.version"));
        say("postgres: " + server);
    }

    private void createProgram(DSLContext dsl) {
        program = UUID.randomUUID();
        dsl.execute(
                "insert into program (id, slug, name, destination_url, currency) values (?, 'bench', 'Bench', 'https://shop.example.com/', 'USD')",
                program);
        partners = new UUID[settings.partners()];
        links = new UUID[settings.partners()][];
        List<Object[]> partnerRows = new ArrayList<>();
        List<Object[]> linkRows = new ArrayList<>();
        int linkCount = 0;
        for (int i = 0; i < partners.length; i++) {
            partners[i] = UUID.randomUUID();
            partnerRows.add(new Object[] {partners[i], "partner" + i + "@bench.example.com", "Partner " + i});
            // One to three links each: two on average.
            links[i] = new UUID[1 + i % 3];
            for (int j = 0; j < links[i].length; j++) {
                links[i][j] = UUID.randomUUID();
                linkRows.add(new Object[] {links[i][j], "bench-" + i + "-" + j, program, partners[i]});
                linkCount++;
            }
        }
        dsl.batch(dsl.query("insert into partner (id, email, name) values (?, ?, ?)", new Object[3]))
                .bind(partnerRows.toArray(Object[][]::new))
                .execute();
        dsl.batch(dsl.query("insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)", new Object[4]))
                .bind(linkRows.toArray(Object[][]::new))
                .execute();
        // Traffic is skewed as in real programs: partner i gets a share proportional to 1 / (i + 1)
        // (Zipf), so the top partner has about 13 % of the clicks and most partners very few.
        partnerCumulative = new double[partners.length];
        double sum = 0;
        for (int i = 0; i < partners.length; i++) {
            sum += 1.0 / (i + 1);
            partnerCumulative[i] = sum;
        }
        for (int i = 0; i < partners.length; i++) {
            partnerCumulative[i] /= sum;
        }
        facts.put("programs", 1);
        facts.put("partners", partners.length);
        facts.put("links", linkCount);
        say("program with %,d partners and %,d links".formatted(partners.length, linkCount));
    }

    private int pickPartner(SplittableRandom random) {
        int index = Arrays.binarySearch(partnerCumulative, random.nextDouble());
        return Math.min(index < 0 ? -index - 1 : index, partners.length - 1);
    }

    /**
     * COPY straight into each month's partition, two months at a time (one per core), in time
     * order within a month as the router writes them, so the BRIN index on ts stays tight.
     */
    private void generateClicks(DatabaseConfig.Endpoint database, YearMonth first) throws Exception {
        Instant start = first.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        long spanMillis = now.toEpochMilli() - start.toEpochMilli();
        AtomicLong written = new AtomicLong();
        long started = System.nanoTime();
        Thread progress = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(5_000);
                    long done = written.get();
                    double elapsed = (System.nanoTime() - started) / 1e9;
                    say("  clicks %,d / %,d (%.0f %%), %,.0f/s"
                            .formatted(done, settings.clicks(), 100.0 * done / settings.clicks(), done / elapsed));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        say("generating %,d clicks from %s to %s...".formatted(settings.clicks(), start, now));
        ExecutorService workers = Executors.newFixedThreadPool(2);
        List<Future<?>> months = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            YearMonth month = first.plusMonths(m);
            long from = Math.max(
                    start.toEpochMilli(),
                    month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli());
            long to = Math.min(
                    now.toEpochMilli(),
                    month.plusMonths(1)
                            .atDay(1)
                            .atStartOfDay()
                            .toInstant(ZoneOffset.UTC)
                            .toEpochMilli());
            long firstClick = (long) Math.ceil((double) (from - start.toEpochMilli()) * settings.clicks() / spanMillis);
            long lastClick = (long) Math.ceil((double) (to - start.toEpochMilli()) * settings.clicks() / spanMillis);
            months.add(workers.submit(() -> {
                copyClicks(database, month, start.toEpochMilli(), spanMillis, firstClick, lastClick, written);
                return null;
            }));
        }
        for (Future<?> month : months) {
            month.get();
        }
        workers.shutdown();
        progress.interrupt();
        facts.put("clicks", written.get());
        say("  %,d clicks in %.0f s".formatted(written.get(), seconds(started)));
    }

    private void copyClicks(
            DatabaseConfig.Endpoint database,
            YearMonth month,
            long startMillis,
            long spanMillis,
            long firstClick,
            long lastClick,
            AtomicLong written)
            throws SQLException, IOException {
        SplittableRandom random = new SplittableRandom(month.hashCode());
        String sql = "copy " + PartitionMaintenance.partitionName(month)
                + " (id, ts, link_id, program_id, partner_id, ip_hash, is_bot, bot_reason, fraud_flag, "
                + ClickTraits.COLUMNS + ") from stdin";
        ClickTraits traits = new ClickTraits();
        String programText = program.toString();
        try (Connection connection = DataSources.directConnection(database, "bench-copy");
                Writer out = new BufferedWriter(
                        new OutputStreamWriter(
                                new PGCopyOutputStream(connection.unwrap(PGConnection.class), sql, 1 << 16),
                                StandardCharsets.UTF_8),
                        1 << 16)) {
            StringBuilder line = new StringBuilder(256);
            byte[] ipHash = new byte[16];
            long pending = 0;
            for (long i = firstClick; i < lastClick; i++) {
                long millis = startMillis + (long) ((double) i * spanMillis / settings.clicks());
                int partner = pickPartner(random);
                UUID link = links[partner][random.nextInt(links[partner].length)];
                // 3 million visitors a year: most clicks of a day are from distinct visitors, some repeat.
                long visitor = random.nextLong(3_000_000);
                Arrays.fill(ipHash, (byte) 0);
                for (int b = 0; b < 8; b++) {
                    ipHash[b] = (byte) (visitor >>> (8 * b));
                }
                boolean bot = random.nextInt(100) < 5;
                boolean flagged = !bot && random.nextInt(100) < 2;
                line.setLength(0);
                line.append(Ulid.newUuidV7(millis))
                        .append('\t')
                        .append(COPY_TS.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC)))
                        .append('\t')
                        .append(link)
                        .append('\t')
                        .append(programText)
                        .append('\t')
                        .append(partners[partner])
                        .append('\t')
                        .append("\\\\x")
                        .append(HEX.formatHex(ipHash))
                        .append('\t')
                        .append(bot ? 't' : 'f')
                        .append('\t')
                        .append(bot ? "user_agent" : "\\N")
                        .append('\t')
                        .append(flagged ? "burst" : "\\N");
                traits.append(line, random, bot);
                line.append('\n');
                out.append(line);
                if (++pending == 4096) {
                    written.addAndGet(pending);
                    pending = 0;
                }
            }
            written.addAndGet(pending);
        }
    }

    /**
     * Conversions at about 1 % of the clicks, spread over the year: one to three touches each
     * (linear shares that add up to the value), a 10 % commission per touch, 2 % rejected; 5 % are
     * refunded three days later, which reverses their commissions (paid ones by a negative row).
     */
    private void generateConversions(DatabaseConfig.Endpoint database, YearMonth first) throws Exception {
        say("generating %,d conversions with attribution, commissions and refunds..."
                .formatted(settings.conversions()));
        Instant start = first.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        long spanMillis = now.toEpochMilli() - start.toEpochMilli();
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder events = new StringBuilder();
        StringBuilder attributions = new StringBuilder();
        StringBuilder commissions = new StringBuilder();
        long attributionRows = 0;
        long commissionRows = 0;
        long refunds = 0;
        String programText = program.toString();
        for (int i = 0; i < settings.conversions(); i++) {
            long millis = start.toEpochMilli() + (long) ((double) i * spanMillis / settings.conversions());
            String ts = COPY_TS.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
            long value = 1_000 + random.nextLong(19_000);
            UUID event = Ulid.newUuidV7(millis);
            events.append(event)
                    .append('\t')
                    .append(programText)
                    .append("\tbench-")
                    .append(i)
                    .append("\tuser-")
                    .append(i)
                    .append("\tpurchase\t")
                    .append(value)
                    .append("\tUSD\t\\N\t")
                    .append(ts)
                    .append("\tattributed\n");
            boolean refunded =
                    random.nextInt(100) < 5 && millis + Duration.ofDays(3).toMillis() < now.toEpochMilli();
            UUID refund = null;
            String refundTs = null;
            if (refunded) {
                long refundMillis = millis + Duration.ofDays(3).toMillis();
                refund = Ulid.newUuidV7(refundMillis);
                refundTs = COPY_TS.format(Instant.ofEpochMilli(refundMillis).atOffset(ZoneOffset.UTC));
                events.append(refund)
                        .append('\t')
                        .append(programText)
                        .append("\tbench-refund-")
                        .append(i)
                        .append("\tuser-")
                        .append(i)
                        .append("\trefund\t")
                        .append(value)
                        .append("\tUSD\t")
                        .append(event)
                        .append('\t')
                        .append(refundTs)
                        .append("\trefund\n");
                refunds++;
            }
            int touches = 1 + random.nextInt(3);
            long share = value / touches;
            for (int t = 0; t < touches; t++) {
                int partner = pickPartner(random);
                UUID link = links[partner][random.nextInt(links[partner].length)];
                long credited = t == 0 ? value - share * (touches - 1) : share;
                UUID attribution = UUID.randomUUID();
                attributions
                        .append(attribution)
                        .append('\t')
                        .append(event)
                        .append('\t')
                        .append(UUID.randomUUID())
                        .append('\t')
                        .append(ts)
                        .append('\t')
                        .append(link)
                        .append('\t')
                        .append(partners[partner])
                        .append('\t')
                        .append(programText)
                        .append("\tlinear\t")
                        .append(String.format(Locale.ROOT, "%.10f", 1.0 / touches))
                        .append('\t')
                        .append(credited)
                        .append("\tUSD\n");
                attributionRows++;
                long amount = credited / 10;
                int roll = random.nextInt(100);
                String status = roll < 2 ? "rejected" : roll < 32 ? "paid" : roll < 90 ? "approved" : "pending";
                if (refunded && !status.equals("paid") && !status.equals("rejected")) {
                    status = "reversed";
                }
                UUID commission = UUID.randomUUID();
                commissionRow(
                        commissions,
                        commission,
                        event,
                        attribution,
                        partners[partner],
                        programText,
                        amount,
                        status,
                        ts,
                        "commission",
                        null);
                commissionRows++;
                if (refunded) {
                    String reversalStatus =
                            status.equals("paid") ? "approved" : status.equals("rejected") ? "rejected" : "reversed";
                    commissionRow(
                            commissions,
                            UUID.randomUUID(),
                            refund,
                            attribution,
                            partners[partner],
                            programText,
                            -amount,
                            reversalStatus,
                            refundTs,
                            "reversal",
                            commission);
                    commissionRows++;
                }
            }
        }
        try (Connection connection = DataSources.directConnection(database, "bench-copy")) {
            // Generated consistent, so the foreign key checks (a lookup per row) can be skipped
            // where the role allows it; elsewhere they run and the load takes longer.
            try (Statement statement = connection.createStatement()) {
                statement.execute("set session_replication_role = replica");
            } catch (SQLException e) {
                say("  (foreign keys checked row by row: " + e.getMessage() + ")");
            }
            copy(
                    connection,
                    "copy event (id, program_id, event_key, user_id, type, value_minor, currency, refund_of, ts, attribution_status) from stdin",
                    events);
            copy(
                    connection,
                    "copy attribution (id, event_id, click_id, click_ts, link_id, partner_id, program_id, model, weight, value_minor, currency) from stdin",
                    attributions);
            copy(
                    connection,
                    "copy commission (id, event_id, attribution_id, partner_id, program_id, amount_minor, currency, status, hold_until, kind, reverses_id) from stdin",
                    commissions);
        }
        facts.put("conversions", settings.conversions());
        facts.put("refunds", refunds);
        facts.put("attributionRows", attributionRows);
        facts.put("commissionRows", commissionRows);
        say("  %,d conversions, %,d refunds, %,d attribution rows, %,d commission rows"
                .formatted(settings.conversions(), refunds, attributionRows, commissionRows));
    }

    private static void copy(Connection connection, String sql, CharSequence rows) throws SQLException, IOException {
        try (Writer out = new OutputStreamWriter(
                new PGCopyOutputStream(connection.unwrap(PGConnection.class), sql, 1 << 16), StandardCharsets.UTF_8)) {
            out.append(rows);
        }
    }

    /** What the job does at its first start over existing clicks, then what it does every minute. */
    private void rollUp(DSLContext dsl, DatabaseConfig.Endpoint database) throws SQLException {
        ClickRollup rollup = new ClickRollup(dsl, Clock.systemUTC());
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<LocalDate> missing = rollup.incompleteDaysBefore(today.minusDays(1));
        say("rolling up %d days as the job does at its first start (a week per transaction)..."
                .formatted(missing.size()));
        long started = System.nanoTime();
        int done = 0;
        for (List<LocalDate> days : ClickRollupJob.chunks(missing)) {
            rollup.tryRebuild(days.getFirst(), days.getLast()).orElseThrow();
            done += days.size();
            if (done % 28 == 0) {
                say("  %d / %d days, %.0f s".formatted(done, missing.size(), seconds(started)));
            }
        }
        double catchUp = seconds(started);
        facts.put("rollupCatchUpDays", missing.size());
        facts.put("rollupCatchUpSeconds", catchUp);
        // The money: COPY ran without the triggers, so note every day with events, as the
        // migration does for an existing installation, and apply them as the job's first runs do.
        execute(
                database,
                "insert into stats_change (program_id, day) select program_id, day from (select distinct program_id,"
                        + " cast((ts at time zone 'UTC') as date) as day from event) days order by day");
        say("rolling up the money of every day with events...");
        MoneyRollup money = new MoneyRollup(dsl);
        started = System.nanoTime();
        int moneyDays = 0;
        for (int applied = money.tryApplyChanges().orElseThrow().days();
                applied > 0;
                applied = money.tryApplyChanges().orElseThrow().days()) {
            moneyDays += applied;
        }
        facts.put("moneyCatchUpDays", moneyDays);
        facts.put("moneyCatchUpSeconds", seconds(started));
        say("  %d days in %.0f s".formatted(moneyDays, seconds(started)));
        // What the job then does every STATS_ROLLUP_SECONDS: count the clicks since its last run
        // (few here: the data is in; bench/rollup measures that cost at 10 million clicks today),
        // look for missed days, recompute the days whose money changed (today's, as new events
        // keep arriving).
        ClickRollupJob job =
                new ClickRollupJob(rollup, money, Clock.systemUTC(), Duration.ofHours(1), new SimpleMeterRegistry());
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            noteTodaysMoneyChanged(database, today);
            long run = System.nanoTime();
            if (!job.runOnce()) {
                throw new IllegalStateException("the rollup job failed");
            }
            runs.add(millis(run));
        }
        // The alternative to the live count: rebuilding today inside a stats request.
        List<Double> todayOnly = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long run = System.nanoTime();
            rollup.tryRebuild(today, today).orElseThrow();
            todayOnly.add(millis(run));
        }
        execute(
                database,
                "vacuum analyze click_daily, click_daily_partner, click_daily_program, click_monthly,"
                        + " click_monthly_partner, click_rollup_day, click_daily_dimension, click_daily_partner_dimension");
        Map<String, Object> rows = new LinkedHashMap<>();
        for (String table : List.of(
                "click_daily",
                "click_daily_partner",
                "click_daily_program",
                "click_monthly",
                "click_monthly_partner",
                "click_daily_dimension",
                "click_daily_partner_dimension")) {
            rows.put(table, dsl.fetchSingle("select count(*) from " + table).get(0, Long.class));
        }
        facts.put("rollupRows", rows);
        facts.put("rollupJobRunMillisMedian", median(runs));
        facts.put("rollupTodayOnlyMillisMedian", median(todayOnly));
        say("  catch-up %.0f s; a job run %.0f ms, rebuilding today alone %.0f ms (medians of 5); rows %s"
                .formatted(catchUp, median(runs), median(todayOnly), rows));
    }

    private Map<String, List<Measurement>> measure(DatabaseConfig.Endpoint database) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", PostgresFixture.postgresUrl(database));
        env.put("ADMIN_API_KEY", ADMIN_KEY);
        env.put("SECRETS_ENCRYPTION_KEY", TestApi.SECRETS_KEY);
        env.put("API_PORT", "0");
        env.put("STATS_ROLLUP_SECONDS", "3600");
        String programId = Ulid.encode(program);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        String year = "&from=" + today.minusDays(364) + "&to=" + today;
        SplittableRandom random = new SplittableRandom(3);
        IntFunction<String> partner = i -> Ulid.encode(partners[random.nextInt(partners.length)]);
        String base = "/v1/stats?programId=" + programId;
        List<Scenario> scenarios = List.of(
                new Scenario("program, last 30 days, by day (the default)", i -> base),
                new Scenario("program, last 12 months, by day", i -> base + year),
                new Scenario("program, last 30 days, by partner", i -> base + "&groupBy=partner"),
                new Scenario("program, last 12 months, by partner", i -> base + year + "&groupBy=partner"),
                new Scenario("program, last 30 days, by link", i -> base + "&groupBy=link"),
                new Scenario("program, last 12 months, by link", i -> base + year + "&groupBy=link"),
                new Scenario("one partner, last 30 days, by day", i -> base + "&partnerId=" + partner.apply(i)),
                new Scenario(
                        "one partner, last 12 months, by link",
                        i -> base + year + "&groupBy=link&partnerId=" + partner.apply(i)),
                new Scenario(
                        "program, today only (rollup + live clicks)", i -> base + "&from=" + today + "&to=" + today),
                // Issue 19: clicks by dimension, from click_daily_dimension (a partner's from
                // click_daily_partner_dimension, V72).
                new Scenario("program, last 30 days, by country", i -> base + "&groupBy=country"),
                new Scenario("program, last 30 days, by device", i -> base + "&groupBy=device"),
                new Scenario("program, last 30 days, by browser", i -> base + "&groupBy=browser"),
                new Scenario("program, last 30 days, by os", i -> base + "&groupBy=os"),
                new Scenario("program, last 30 days, by referrer", i -> base + "&groupBy=referrer"),
                new Scenario("program, last 30 days, by utmSource", i -> base + "&groupBy=utmSource"),
                new Scenario("program, last 30 days, by utmCampaign", i -> base + "&groupBy=utmCampaign"),
                new Scenario("program, last 12 months, by country", i -> base + year + "&groupBy=country"),
                new Scenario("program, last 12 months, by referrer", i -> base + year + "&groupBy=referrer"),
                new Scenario("program, last 12 months, by utmCampaign", i -> base + year + "&groupBy=utmCampaign"),
                new Scenario(
                        "one partner, last 30 days, by country",
                        i -> base + "&groupBy=country&partnerId=" + partner.apply(i)),
                new Scenario(
                        "one partner, last 30 days, by referrer",
                        i -> base + "&groupBy=referrer&partnerId=" + partner.apply(i)),
                new Scenario(
                        "one partner, last 12 months, by utmCampaign",
                        i -> base + year + "&groupBy=utmCampaign&partnerId=" + partner.apply(i)));
        Map<String, List<Measurement>> results = new LinkedHashMap<>();
        Map<String, Long> indexScansBefore = indexScans(database);
        facts.put("loadBefore", loadAverage());
        try (ApiApp app =
                ApiApp.create(ApiConfig.fromEnv(env), Clock.systemUTC()).start()) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String url = "http://localhost:" + app.port();
            awaitFirstRollup(client, url);
            // Events keep arriving in production, so today's money is read live: so it is here.
            noteTodaysMoneyChanged(database, today);
            for (int run = 1; run <= settings.runs(); run++) {
                say("run %d of %d".formatted(run, settings.runs()));
                for (Scenario scenario : scenarios) {
                    for (int i = 0; i < settings.warmup(); i++) {
                        get(client, url + scenario.path().apply(i));
                    }
                    long[] nanos = new long[settings.samples()];
                    long bytes = 0;
                    for (int i = 0; i < nanos.length; i++) {
                        String path = scenario.path().apply(i);
                        long started = System.nanoTime();
                        bytes = get(client, url + path);
                        nanos[i] = System.nanoTime() - started;
                    }
                    Measurement measurement = Measurement.of(nanos, bytes);
                    results.computeIfAbsent(scenario.name(), name -> new ArrayList<>())
                            .add(measurement);
                    say("  %-55s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  (%,d bytes)"
                            .formatted(
                                    scenario.name(), measurement.p50(), measurement.p95(), measurement.max(), bytes));
                }
            }
        }
        facts.put("loadAfter", loadAverage());
        // The api's connections are closed now, which flushes their statistics.
        Thread.sleep(1_000);
        Map<String, Long> used = new LinkedHashMap<>();
        indexScans(database).forEach((index, scans) -> {
            long delta = scans - indexScansBefore.getOrDefault(index, 0L);
            if (delta > 0) {
                used.put(index, delta);
            }
        });
        facts.put("indexScansDuringRequests", used);
        say("index scans during the requests: " + used);
        return results;
    }

    /** Index scans so far on the tables stats read, by index name. */
    private static Map<String, Long> indexScans(DatabaseConfig.Endpoint database) throws SQLException {
        Map<String, Long> scans = new LinkedHashMap<>();
        try (Connection connection = DataSources.directConnection(database, "bench");
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(
                        """
                        select indexrelname, sum(idx_scan) from pg_stat_user_indexes
                        where relname ~ '^(event|attribution|commission|program|click_daily|click_daily_partner|click_daily_program|click_daily_dimension|click_daily_partner_dimension|click_monthly|click_monthly_partner|click_rollup_day)$'
                           or relname ~ '^click_y[0-9]{4}m[0-9]{2}$'
                        group by indexrelname order by 1""")) {
            while (rows.next()) {
                // Partitions' indexes are named after the partition: count them under the parent's
                // column list, e.g. click_y2026m11_program_id_ts_idx as click_*_program_id_ts_idx.
                scans.merge(
                        rows.getString(1).replaceFirst("^click_y\\d{4}m\\d{2}_", "click_*_"),
                        rows.getLong(2),
                        Long::sum);
            }
        }
        return scans;
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void awaitFirstRollup(HttpClient client, String url) throws Exception {
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> metrics = client.send(
                    HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            if (metrics.body().matches("(?s).*\nclickledger_click_rollup_seconds_count(\\{[^}]*})? [1-9].*")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the api's rollup job did not run");
    }

    private static long get(HttpClient client, String url) throws Exception {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response.body().length;
    }

    record Measurement(double p50, double p95, double max) {
        static Measurement of(long[] nanos, long bytes) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Measurement(
                    percentile(sorted, 50) / 1e6, percentile(sorted, 95) / 1e6, sorted[sorted.length - 1] / 1e6);
        }

        // Nearest rank: the smallest sample at or above the given share of all samples.
        private static long percentile(long[] sorted, int percent) {
            int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }
    }

    private void report(Map<String, List<Measurement>> results) throws IOException {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("benchmark", "Dashboard stats at 10 million clicks");
        json.put("command", COMMAND);
        json.put("measuredAt", now.toString());
        json.set("data", Json.MAPPER.valueToTree(facts));
        json.put("floorP95Millis", FLOOR_P95_MILLIS);
        json.put("samplesPerRun", settings.samples());
        json.put("runs", settings.runs());
        ArrayNode scenarios = json.putArray("scenarios");
        StringBuilder table = new StringBuilder();
        table.append("| request | p50 ms (median of runs) | p95 ms (median of runs) | p95 min–max | floor p95 ≤ ")
                .append(FLOOR_P95_MILLIS)
                .append(" ms (worst run) |\n| --- | --- | --- | --- | --- |\n");
        boolean allPass = true;
        for (Map.Entry<String, List<Measurement>> entry : results.entrySet()) {
            List<Measurement> runs = entry.getValue();
            double p50 = median(runs.stream().map(Measurement::p50).toList());
            double p95 = median(runs.stream().map(Measurement::p95).toList());
            double p95Min = runs.stream().mapToDouble(Measurement::p95).min().orElseThrow();
            double p95Max = runs.stream().mapToDouble(Measurement::p95).max().orElseThrow();
            // A floor is met only if the worst run meets it (DEVELOPERS.md).
            boolean pass = p95Max <= FLOOR_P95_MILLIS;
            allPass &= pass;
            ObjectNode scenario = scenarios.addObject();
            scenario.put("request", entry.getKey());
            scenario.put("p50MillisMedian", round(p50));
            scenario.put("p95MillisMedian", round(p95));
            scenario.put("p95MillisMin", round(p95Min));
            scenario.put("p95MillisMax", round(p95Max));
            scenario.put("pass", pass);
            ArrayNode perRun = scenario.putArray("runs");
            runs.forEach(run -> perRun.addObject()
                    .put("p50Millis", round(run.p50()))
                    .put("p95Millis", round(run.p95()))
                    .put("maxMillis", round(run.max())));
            table.append("| ")
                    .append(entry.getKey())
                    .append(" | ")
                    .append(format(p50))
                    .append(" | ")
                    .append(format(p95))
                    .append(" | ")
                    .append(format(p95Min))
                    .append("–")
                    .append(format(p95Max))
                    .append(" | ")
                    .append(pass ? "yes" : "**no**")
                    .append(" |\n");
        }
        json.put("pass", allPass);
        say("\n" + table);
        if (!settings.write()) {
            return;
        }
        Path resultsFile = settings.root().resolve("bench/results/stats.json");
        Files.createDirectories(resultsFile.getParent());
        Files.writeString(
                resultsFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        writePerformanceSection(table.toString());
        say("wrote " + resultsFile + " and docs/PERFORMANCE.md");
    }

    /** One COPY text row of commission; {@code reverses} null becomes \\N. */
    private static void commissionRow(
            StringBuilder rows,
            UUID id,
            Object event,
            Object attribution,
            Object partner,
            String program,
            long amount,
            String status,
            Object ts,
            String kind,
            UUID reverses) {
        rows.append(id)
                .append('\t')
                .append(event)
                .append('\t')
                .append(attribution)
                .append('\t');
        rows.append(partner)
                .append('\t')
                .append(program)
                .append('\t')
                .append(amount)
                .append("\tUSD\t");
        rows.append(status).append('\t').append(ts).append('\t').append(kind).append('\t');
        rows.append(reverses == null ? "\\N" : reverses.toString()).append('\n');
    }

    private void writePerformanceSection(String table) throws IOException {
        Path doc = settings.root().resolve("docs/PERFORMANCE.md");
        String begin = "<!-- stats-benchmark:begin -->";
        String end = "<!-- stats-benchmark:end -->";
        @SuppressWarnings("unchecked")
        Map<String, Object> server = (Map<String, Object>) facts.get("postgres");
        String section = begin + "\n"
                + """
                ## Dashboard stats at 10 million clicks

                Command: `%s` (about %d minutes here, most of it generating the data). Measured %s on \
                %s cores (load average %s before the requests, %s after: other builds share this \
                machine), PostgreSQL %s (%s; shared_buffers %s, work_mem %s), Java %s.

                Data: one program, %,d partners, %,d links; %,d clicks over 12 monthly partitions up to \
                the moment of the run (Zipf-skewed across partners, 5 %% bots, 2 %% flagged); %,d \
                conversions with %,d attribution rows and %,d commission rows, %,d refunds. Generated \
                by COPY in %.0f s (clicks) and %.0f s (the rest).

                Rollup: the first start's catch-up of clicks over %d days took %.0f s, and of the \
                money of %d days %.0f s; a run of the job (the clicks since the last run, today's \
                money, their months) takes %.0f ms, and rebuilding today's clicks from scratch %.0f ms \
                (medians of 5), which is why a request counts today's newest clicks live rather \
                than rebuilding today. Rollup rows: %s.

                Each figure is a sequential `GET /v1/stats` to the real api over HTTP, JSON included: \
                %d requests per run after %d warm-up requests, %d runs on the same data; the table \
                gives the median of the runs and the range of their p95. "One partner" picks a random \
                partner per request. "Last 12 months" is 365 days ending today.

                """
                        .formatted(
                                COMMAND,
                                Math.max(1, Math.round(totalSeconds() / 60)),
                                LocalDate.ofInstant(now, ZoneOffset.UTC),
                                facts.get("cpus"),
                                facts.get("loadBefore"),
                                facts.get("loadAfter"),
                                server.get("server_version"),
                                facts.get("database"),
                                server.get("shared_buffers"),
                                server.get("work_mem"),
                                facts.get("java"),
                                (Integer) facts.get("partners"),
                                (Integer) facts.get("links"),
                                (Long) facts.get("clicks"),
                                (Integer) facts.get("conversions"),
                                (Long) facts.get("attributionRows"),
                                (Long) facts.get("commissionRows"),
                                (Long) facts.get("refunds"),
                                (Double) facts.get("generateClicksSeconds"),
                                (Double) facts.get("generateConversionsSeconds"),
                                (Integer) facts.get("rollupCatchUpDays"),
                                (Double) facts.get("rollupCatchUpSeconds"),
                                (Integer) facts.get("moneyCatchUpDays"),
                                (Double) facts.get("moneyCatchUpSeconds"),
                                (Double) facts.get("rollupJobRunMillisMedian"),
                                (Double) facts.get("rollupTodayOnlyMillisMedian"),
                                facts.get("rollupRows"),
                                settings.samples(),
                                settings.warmup(),
                                settings.runs())
                + table
                + "\nMachine-readable: `bench/results/stats.json` (with the index scans the requests made).\n"
                + end
                + "\n";
        String text = Files.exists(doc)
                ? Files.readString(doc)
                : "# Performance\n\nFigures measured on this project's 2-core build machine, with the command that"
                        + " produced each.\n\n";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from >= 0 && to > from) {
            text = text.substring(0, from) + section + text.substring(to + end.length() + 1);
        } else {
            text = text + (text.endsWith("\n\n") ? "" : "\n") + section;
        }
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, text);
    }

    private double totalSeconds() {
        return Duration.between(now, Instant.now()).toSeconds();
    }

    /** As a new event of today would: the requests then read today's money live, as in production. */
    private void noteTodaysMoneyChanged(DatabaseConfig.Endpoint database, LocalDate today) throws SQLException {
        execute(
                database,
                "insert into stats_change (program_id, day) values ('" + program + "', date '" + today + "')");
    }

    private static void execute(DatabaseConfig.Endpoint database, String sql) throws SQLException {
        try (Connection connection = DataSources.directConnection(database, "bench");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double millis(long startedNanos) {
        return Math.round((System.nanoTime() - startedNanos) / 1e5) / 10.0;
    }

    private static double seconds(long startedNanos) {
        return Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0;
    }

    private static double round(double millis) {
        return Math.round(millis * 10) / 10.0;
    }

    private static String format(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }

    private static void say(String line) {
        System.out.println(CLOCK_TIME.format(OffsetDateTime.now(ZoneOffset.UTC)) + " " + line);
        System.out.flush();
    }
}
