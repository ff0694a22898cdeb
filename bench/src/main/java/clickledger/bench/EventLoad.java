package clickledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        Tally tally = new Tally();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Tally.Client mine = tally.client();
            int client = c;
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadline && mine.send(http, Http.post(uri, key, body.apply(client)))) {
                    // Each request is noted by the tally.
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", mode);
        result.put("clients", clients);
        tally.into(result, (System.nanoTime() - start) / 1e9, 201);
        return result;
    }
}
