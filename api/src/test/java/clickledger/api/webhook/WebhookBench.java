package clickledger.api.webhook;

import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;

import clickledger.api.TestApi;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook delivery benchmark, not a test (run by {@code bench/webhooks}, never by {@code make
 * test}): queues N pending deliveries through the outbox into a fresh PostgreSQL, starts one
 * delivery worker with the default settings against a local receiver that answers 204 at once, and
 * times the drain. Reports the outbox write rate, deliveries per second and the drain time, for one
 * endpoint (the per-endpoint limit of 8 in flight binds) and for eight (8 × 8 = the overall limit
 * of 64), each the median of several runs, into bench/results/webhooks.json. WEBHOOK_* variables in
 * the environment override the worker's defaults (the report's settings say so). Per run it also
 * reports this JVM's CPU (worker and receiver) and PostgreSQL's committed transactions per delivery.
 *
 * <p>Arguments: {@code --deliveries N} (100000), {@code --runs N} (3), {@code --endpoints 1,8}
 * (one scenario per count), {@code --warmup N} (20000: deliveries drained once before the measured
 * runs, unrecorded, so the JIT has compiled the worker's path as it has in an api that has been up
 * for a while; the first drain of a fresh JVM spends much of its time in the C2 compiler), {@code
 * --out PATH}.
 */
public final class WebhookBench {
    private WebhookBench() {}

    private record Scenario(String name, int endpoints) {}

    private record Run(
            double queueSeconds,
            double drainSeconds,
            double deliveriesPerSecond,
            double meanRequestMillis,
            long requests,
            long distinctDeliveries,
            double cpuMillisPerDelivery,
            double postgresCpuMillisPerDelivery,
            double transactionsPerDelivery) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int deliveries = Integer.parseInt(options.getOrDefault("--deliveries", "100000"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup", "20000"));
        Path out = Path.of(options.getOrDefault("--out", "bench/results/webhooks.json"));
        List<Scenario> scenarios = new ArrayList<>();
        for (String each : options.getOrDefault("--endpoints", "1,8").split(",")) {
            int endpoints = Integer.parseInt(each.trim());
            scenarios.add(new Scenario(endpoints == 1 ? "1 endpoint" : endpoints + " endpoints", endpoints));
        }

        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("benchmark", "webhook delivery drain");
        report.put(
                "command",
                "bench/webhooks --deliveries " + deliveries + " --runs " + runs + " --endpoints "
                        + options.getOrDefault("--endpoints", "1,8"));
        report.put("date", Instant.now().toString());
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        report.put("deliveries", deliveries);
        report.put("warmupDeliveries", warmup);
        Map<String, String> overrides = workerOverrides();
        WebhookConfig settings = WebhookFixture.config(overrides);
        report.put(
                "settings",
                (overrides.size() > 1 ? "overridden " + overrides + ": " : "defaults: ") + "WEBHOOK_CONCURRENCY="
                        + settings.concurrency() + ", WEBHOOK_ENDPOINT_CONCURRENCY=" + settings.endpointConcurrency()
                        + ", DB_POOL_SIZE=10; receiver answers 204 at once on 127.0.0.1; PostgreSQL on the same"
                        + " machine");
        ArrayNode results = report.putArray("scenarios");

        try (TestApi api = TestApi.start(Map.of(
                        "WEBHOOK_WORKER_ENABLED", "false", "WEBHOOK_ALLOW_PRIVATE", "true", "DB_POOL_SIZE", "10"));
                CountingReceiver receiver = new CountingReceiver()) {
            for (Scenario scenario : scenarios) {
                List<String> endpointIds = new ArrayList<>();
                for (int i = 0; i < scenario.endpoints(); i++) {
                    endpointIds.add(WebhookFixture.createEndpoint(api, receiver.url("/bench-" + i))
                            .id());
                }
                if (warmup > 0) {
                    Run warm = run(api, receiver, Math.max(1, warmup / scenario.endpoints()), overrides);
                    System.out.printf(
                            "%s, warm-up (not recorded): %d deliveries drained in %.2f s%n",
                            scenario.name(), warm.requests(), warm.drainSeconds());
                }
                List<Run> measured = new ArrayList<>();
                for (int run = 1; run <= runs; run++) {
                    Run result = run(api, receiver, deliveries / scenario.endpoints(), overrides);
                    measured.add(result);
                    System.out.printf(
                            "%s, run %d: queued in %.2f s, drained in %.2f s, %.0f deliveries/s, %.2f ms per request,"
                                    + " %.3f ms of this JVM's CPU, %.3f ms of PostgreSQL's CPU and %.3f PostgreSQL"
                                    + " transactions per delivery%n",
                            scenario.name(),
                            run,
                            result.queueSeconds(),
                            result.drainSeconds(),
                            result.deliveriesPerSecond(),
                            result.meanRequestMillis(),
                            result.cpuMillisPerDelivery(),
                            result.postgresCpuMillisPerDelivery(),
                            result.transactionsPerDelivery());
                }
                for (String id : endpointIds) {
                    api.send("DELETE", "/v1/webhooks/" + id, null, TestApi.ADMIN_KEY)
                            .expect(204);
                }
                ObjectNode node = results.addObject();
                node.put("scenario", scenario.name());
                node.put(
                        "medianQueueSeconds",
                        round(median(
                                measured.stream().mapToDouble(Run::queueSeconds).toArray())));
                node.put(
                        "medianDrainSeconds",
                        round(median(
                                measured.stream().mapToDouble(Run::drainSeconds).toArray())));
                node.put(
                        "medianDeliveriesPerSecond",
                        Math.round(median(measured.stream()
                                .mapToDouble(Run::deliveriesPerSecond)
                                .toArray())));
                ArrayNode each = node.putArray("runs");
                for (Run run : measured) {
                    each.addObject()
                            .put("queueSeconds", round(run.queueSeconds()))
                            .put("drainSeconds", round(run.drainSeconds()))
                            .put("deliveriesPerSecond", Math.round(run.deliveriesPerSecond()))
                            .put("meanRequestMillis", round(run.meanRequestMillis()))
                            .put("requests", run.requests())
                            .put("distinctDeliveries", run.distinctDeliveries())
                            .put("cpuMillisPerDelivery", Math.round(run.cpuMillisPerDelivery() * 1000) / 1000.0)
                            .put(
                                    "postgresCpuMillisPerDelivery",
                                    Math.round(run.postgresCpuMillisPerDelivery() * 1000) / 1000.0)
                            .put("transactionsPerDelivery", Math.round(run.transactionsPerDelivery() * 1000) / 1000.0);
                }
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        System.out.println("wrote " + out);
    }

    /**
     * The worker's settings: the defaults, but for WEBHOOK_* variables set in the environment (to
     * compare other limits with {@code WEBHOOK_CONCURRENCY=64 bench/webhooks ...}), and polling every
     * 50 ms so the end of the drain shows soon.
     */
    private static Map<String, String> workerOverrides() {
        Map<String, String> overrides = new java.util.TreeMap<>();
        for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
            if (variable.getKey().startsWith("WEBHOOK_")) {
                overrides.put(variable.getKey(), variable.getValue());
            }
        }
        overrides.putIfAbsent("WEBHOOK_POLL_INTERVAL_MS", "50");
        return overrides;
    }

    /** CPU time of this JVM (worker and receiver), from /proc via the platform MXBean. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static boolean pendingLeft(TestApi api) {
        return api.dsl().fetchExists(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.STATUS.eq("pending"));
    }

    /**
     * CPU time of the whole PostgreSQL cluster so far (the postmaster, its live processes and those
     * it has reaped: backends, WAL writer, autovacuum), from /proc; -1 when it does not run on this
     * machine or its postmaster.pid cannot be read. Includes the bench's own polls, a few per second.
     */
    private static long postgresCpuNanos(TestApi api) {
        try {
            String pidFile = api.dsl()
                    .fetchSingle("select pg_read_file('postmaster.pid')")
                    .get(0, String.class);
            long postmaster =
                    Long.parseLong(pidFile.lines().findFirst().orElseThrow().trim());
            long[] own = procStat(Path.of("/proc", Long.toString(postmaster), "stat"));
            if (own == null) {
                return -1;
            }
            long ticks = own[1] + own[2] + own[3] + own[4];
            try (var processes = Files.list(Path.of("/proc"))) {
                for (Path process : processes.toList()) {
                    if (process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                        long[] child = procStat(process.resolve("stat"));
                        if (child != null && child[0] == postmaster) {
                            ticks += child[1] + child[2];
                        }
                    }
                }
            }
            // USER_HZ, 100 on Linux.
            return ticks * 10_000_000L;
        } catch (RuntimeException | IOException e) {
            return -1;
        }
    }

    /** ppid, utime, stime, cutime, cstime of /proc/PID/stat, in ticks; null when it is gone. */
    private static long[] procStat(Path stat) {
        String text;
        try {
            text = Files.readString(stat);
        } catch (IOException e) {
            return null;
        }
        // After the command name in parentheses (which may hold spaces): state, ppid, ... utime is
        // field 14 of the line, the 12th after the name.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return new long[] {
            Long.parseLong(fields[1]),
            Long.parseLong(fields[11]),
            Long.parseLong(fields[12]),
            Long.parseLong(fields[13]),
            Long.parseLong(fields[14])
        };
    }

    /** Transactions committed in the bench database so far (every claim is one, with its outcomes). */
    private static long transactions(TestApi api) {
        return api.dsl()
                .fetchSingle(
                        "select pg_stat_force_next_flush(), (select xact_commit from pg_stat_database where datname"
                                + " = current_database())")
                .get(1, Long.class);
    }

    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    private static Run run(TestApi api, CountingReceiver receiver, int eventsPerEndpoint, Map<String, String> overrides)
            throws InterruptedException {
        api.dsl().execute("truncate webhook_attempt, webhook_delivery");
        List<WebhookEvent> events = new ArrayList<>(eventsPerEndpoint);
        for (int i = 0; i < eventsPerEndpoint; i++) {
            events.add(new WebhookEvent(
                    WebhookEvents.COMMISSION_APPROVED,
                    Map.of("id", "commission-" + i, "amount", "49.00", "currency", "USD", "status", "approved"),
                    "commission-" + i,
                    i));
        }
        Clock clock = Clock.systemUTC();
        long queueStart = System.nanoTime();
        int queued = api.dsl().transactionResult(trx -> new WebhookOutbox(clock).publish(trx.dsl(), events));
        double queueSeconds = seconds(System.nanoTime() - queueStart);
        api.dsl().execute("analyze webhook_delivery");
        long before = receiver.count();
        long transactionsBefore = transactions(api);
        long cpuBefore = cpuNanos();
        long postgresCpuBefore = postgresCpuNanos(api);
        long drainStart = System.nanoTime();
        long polls = 0;
        try (WebhookWorker worker = WebhookFixture.worker(
                        api, clock, overrides, ThreadLocalRandom.current()::nextDouble)
                .start()) {
            // First until the receiver has had as many requests as were queued (counted in memory;
            // PostgreSQL is asked only once a second, in case some never arrive), then until no row
            // is pending, its outcome written. The bench's own queries must not take PostgreSQL's
            // CPU from the drain they watch: counting the pending rows ten times a second, as
            // before, cost about a tenth of PostgreSQL's CPU per delivery (0003, "CPU per delivery").
            for (int tick = 1; receiver.count() - before < queued; tick++) {
                if (tick % 50 == 0) {
                    polls++;
                    if (!pendingLeft(api)) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
            while (pendingLeft(api)) {
                polls++;
                Thread.sleep(20);
            }
            polls++;
        }
        double drainSeconds = seconds(System.nanoTime() - drainStart);
        double cpuMillis = (cpuNanos() - cpuBefore) / 1e6;
        long postgresCpuAfter = postgresCpuNanos(api);
        double postgresCpuMillis = postgresCpuBefore < 0 || postgresCpuAfter < 0
                ? Double.NaN
                : (postgresCpuAfter - postgresCpuBefore) / 1e6;
        // Less the bench's own: its polls, and the four figure reads.
        long workerTransactions = transactions(api) - transactionsBefore - polls - 4;
        long received = receiver.count() - before;
        long distinct = receiver.distinctDeliveries();
        long delivered = api.dsl().fetchCount(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.STATUS.eq("delivered"));
        // Every one exactly once: as many requests as deliveries, each delivery id once, each row
        // marked delivered.
        if (received != queued || distinct != queued || delivered != queued) {
            throw new IllegalStateException("queued " + queued + ": the receiver got " + received + " requests for "
                    + distinct + " distinct deliveries, and " + delivered + " are marked delivered");
        }
        // The HTTP exchange alone, as the worker timed it: the rest of each delivery's time is the
        // claim and the outcome write.
        double meanRequestMillis = api.dsl()
                .fetchSingle("select coalesce(avg(latency_ms), 0)::float8 from webhook_attempt")
                .get(0, Double.class);
        return new Run(
                queueSeconds,
                drainSeconds,
                queued / drainSeconds,
                meanRequestMillis,
                received,
                distinct,
                cpuMillis / queued,
                postgresCpuMillis / queued,
                (double) workerTransactions / queued);
    }

    /**
     * A receiver that counts requests and remembers each delivery id (the test receiver keeps every
     * request, which 100,000 would not fit), so a delivery sent twice shows.
     */
    private static final class CountingReceiver implements AutoCloseable {
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final AtomicLong count = new AtomicLong();
        private final Set<String> deliveries = ConcurrentHashMap.newKeySet();
        private final HttpServer server;

        CountingReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
            server.createContext("/", exchange -> {
                try (exchange;
                        InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                    deliveries.add(exchange.getRequestHeaders().getFirst("X-Clickledger-Delivery"));
                    count.incrementAndGet();
                    exchange.sendResponseHeaders(204, -1);
                }
            });
            server.setExecutor(executor);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        long count() {
            return count.get();
        }

        /** Distinct delivery ids received since the last call; forgets them. */
        long distinctDeliveries() {
            long distinct = deliveries.size();
            deliveries.clear();
            return distinct;
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double seconds(long nanos) {
        return Duration.ofNanos(nanos).toMillis() / 1000.0;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
