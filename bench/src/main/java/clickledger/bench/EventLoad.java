package clickledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code clients} concurrent merchants posting purchase events to {@code POST /v1/events} (admin
 * key, {@code programId} in the body) for {@code duration}, each for a random user of the seeded
 * attribution program, so every event is attributed over up to {@code max-clicks} touches.
 */
final class EventLoad {
    private EventLoad() {}

    static Map<String, Object> run(Args args) throws Exception {
        URI uri = URI.create(args.string("api-url", "http://127.0.0.1:4601") + "/v1/events");
        if (!uri.getHost().equals("127.0.0.1") && !uri.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load tests only target loopback");
        }
        String key = args.string("admin-key");
        String program = args.string("program-id");
        int users = args.integer("users", 5_000);
        int clients = args.integer("clients", 100);
        Duration duration = args.duration("duration", Duration.ofSeconds(10));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Latencies> latencies = new ArrayList<>();
        List<Map<Integer, Long>> statuses = new ArrayList<>();
        long[] errors = new long[clients];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Latencies mine = new Latencies();
            Map<Integer, Long> myStatuses = new TreeMap<>();
            latencies.add(mine);
            statuses.add(myStatuses);
            int client = c;
            threads.add(Thread.ofVirtual().start(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < deadline) {
                    String body = "{\"programId\":\"" + program + "\",\"eventId\":\"" + UUID.randomUUID()
                            + "\",\"userId\":\"user-" + (1 + random.nextInt(users))
                            + "\",\"type\":\"purchase\",\"value\":\"" + (10 + random.nextInt(190))
                            + ".00\",\"currency\":\"USD\"}";
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build();
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        mine.add((System.nanoTime() - sent) / 1_000);
                        myStatuses.merge(response.statusCode(), 1L, Long::sum);
                    } catch (java.io.IOException e) {
                        errors[client]++;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Latencies all = new Latencies();
        latencies.forEach(all::addAll);
        Map<Integer, Long> merged = new TreeMap<>();
        statuses.forEach(map -> map.forEach((status, count) -> merged.merge(status, count, Long::sum)));
        long errorCount = 0;
        for (long error : errors) {
            errorCount += error;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("clients", clients);
        result.put("events", all.size());
        result.put("eventsPerSecond", Math.round(merged.getOrDefault(201, 0L) / seconds));
        result.put("statuses", merged);
        result.put("errors", errorCount);
        result.put("p50Ms", all.percentileMillis(0.50));
        result.put("p99Ms", all.percentileMillis(0.99));
        return result;
    }
}
