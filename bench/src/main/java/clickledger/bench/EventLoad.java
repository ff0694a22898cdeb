package clickledger.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * {@code clients} concurrent merchants calling the SDK routes for {@code duration}, each sending its
 * next request as soon as the last is answered, with a secret key of the program:
 *
 * <ul>
 *   <li>{@code --mode events}: {@code POST /v1/events}, a purchase of a random one of the
 *       program's {@code users} seeded users (user-1 … user-N), each with 1 to 5 touches, so every
 *       event is attributed and earns commissions;
 *   <li>{@code --mode identify}: {@code POST /v1/identify}, each request stitching a fresh user to
 *       the next cref of {@code --crefs FILE} (billable clicks nobody is stitched to yet), so every
 *       answer is a new stitch (201), never an idempotent repeat.
 * </ul>
 */
final class EventLoad {
    private EventLoad() {}

    static Map<String, Object> run(Args args) throws Exception {
        String mode = args.string("mode", "events");
        String base = args.string("api-url", "http://127.0.0.1:4601");
        URI uri = URI.create(base + (mode.equals("identify") ? "/v1/identify" : "/v1/events"));
        Http.requireLoopback(uri);
        String key = args.string("key");
        int users = args.integer("users", 100_000);
        int clients = args.integer("clients", 100);
        Duration duration = args.duration("duration", Duration.ofSeconds(10));
        IntFunction<String> body;
        if (mode.equals("identify")) {
            List<String> crefs = Files.readAllLines(Path.of(args.string("crefs")));
            AtomicInteger next = new AtomicInteger(args.integer("crefs-from", 0));
            String prefix = "identify-" + UUID.randomUUID() + "-";
            body = client -> {
                int index = next.getAndIncrement();
                if (index >= crefs.size()) {
                    throw new IllegalStateException("ran out of crefs: " + crefs.size() + " in the file");
                }
                return "{\"cref\":\"" + crefs.get(index) + "\",\"userId\":\"" + prefix + index + "\"}";
            };
        } else if (mode.equals("events")) {
            body = client -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                return "{\"eventId\":\"" + UUID.randomUUID() + "\",\"userId\":\"user-" + (1 + random.nextInt(users))
                        + "\",\"type\":\"purchase\",\"value\":\"" + (10 + random.nextInt(190))
                        + ".00\",\"currency\":\"USD\"}";
            };
        } else {
            throw new IllegalArgumentException("--mode is events or identify");
        }
        HttpClient http = Http.client();
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
                while (System.nanoTime() < deadline) {
                    HttpRequest request = Http.post(uri, key, body.apply(client));
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        mine.add((System.nanoTime() - sent) / 1_000);
                        myStatuses.merge(response.statusCode(), 1L, Long::sum);
                    } catch (IOException e) {
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
        result.put("mode", mode);
        result.put("clients", clients);
        result.put("requests", all.size());
        result.put("perSecond", Math.round(merged.getOrDefault(201, 0L) / seconds));
        result.put("statuses", merged);
        result.put("errors", errorCount);
        result.put("p50Ms", all.percentileMillis(0.50));
        result.put("p99Ms", all.percentileMillis(0.99));
        result.put("maxMs", all.percentileMillis(1.0));
        return result;
    }
}
