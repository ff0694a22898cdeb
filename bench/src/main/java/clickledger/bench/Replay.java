package clickledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A merchant migrating to clickledger: replays historical purchases ({@code --file}, lines of
 * {@code ts userId eventId value}, oldest first) through {@code POST /v1/events/batch}, {@code
 * --batch} events a request (500 unless told; {@code --batch 0} posts them one by one to {@code
 * POST /v1/events}), with {@code --clients} concurrent clients (4 for batches, 100 one by one,
 * unless told). Each user's events go through one client, in their order, so every "first
 * conversion" is the one a re-derivation would find; users are spread over the clients. Progress
 * (events, rate, estimated time left) goes to stderr every few seconds. Answers are counted per
 * event (a batch's results), latencies per request.
 *
 * <p>{@code rederive-check} then asks the api for a dry-run re-derivation of the program over the
 * replayed range and reports every difference: a replay that computed what re-derivation computes
 * shows none.
 */
final class Replay {
    private static final long PROGRESS_NANOS = Duration.ofSeconds(5).toNanos();

    private Replay() {}

    private record Event(String ts, String userId, String eventId, String value) {
        String body() {
            return "{\"eventId\":\"" + eventId + "\",\"userId\":\"" + userId + "\",\"type\":\"purchase\",\"value\":\""
                    + value + "\",\"currency\":\"USD\",\"ts\":\"" + ts + "\"}";
        }
    }

    static Map<String, Object> run(Args args) throws Exception {
        int batch = args.integer("batch", 500);
        URI uri = URI.create(
                args.string("api-url", "http://127.0.0.1:4601") + (batch > 0 ? "/v1/events/batch" : "/v1/events"));
        Http.requireLoopback(uri);
        String key = args.string("key");
        int clients = args.integer("clients", batch > 0 ? 4 : 100);
        List<List<Event>> queues = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            queues.add(new ArrayList<>());
        }
        long total = 0;
        try (BufferedReader reader = Files.newBufferedReader(Path.of(args.string("file")), StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split("\t");
                Event event = new Event(fields[0], fields[1], fields[2], fields[3]);
                queues.get(Math.floorMod(event.userId().hashCode(), clients)).add(event);
                total++;
            }
        }
        HttpClient http = Http.client();
        AtomicLong done = new AtomicLong();
        Tally tally = new Tally();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Tally.Client mine = tally.client();
            List<Event> queue = queues.get(c);
            threads.add(Thread.ofVirtual().start(() -> {
                if (batch > 0) {
                    for (int from = 0; from < queue.size(); from += batch) {
                        List<Event> slice = queue.subList(from, Math.min(queue.size(), from + batch));
                        String body = "{\"events\":["
                                + String.join(
                                        ",", slice.stream().map(Event::body).toList()) + "]}";
                        if (!mine.sendBatch(http, Http.post(uri, key, body, Duration.ofMinutes(5)), slice.size())) {
                            return;
                        }
                        done.addAndGet(slice.size());
                    }
                    return;
                }
                for (Event event : queue) {
                    if (!mine.send(http, Http.post(uri, key, event.body()))) {
                        return;
                    }
                    done.incrementAndGet();
                }
            }));
        }
        long lastReport = start;
        for (Thread thread : threads) {
            while (!thread.join(Duration.ofMillis(200))) {
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_NANOS) {
                    lastReport = now;
                    progress(done.get(), total, now - start);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress(done.get(), total, System.nanoTime() - start);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("events", total);
        result.put("clients", clients);
        result.put("batch", batch);
        result.put("seconds", Math.round(seconds * 10) / 10.0);
        tally.into(result, seconds, 201);
        return result;
    }

    private static void progress(long done, long total, long nanos) {
        double seconds = nanos / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long left = rate > 0 ? Math.round((total - done) / rate) : -1;
        System.err.printf(
                "[replay] %,d of %,d events (%.1f %%) in %.0f s, %,.0f events/s, about %d s left%n",
                done, total, 100.0 * done / Math.max(1, total), seconds, rate, left);
    }

    /** {@code rederive-check --api-url URL --admin-key K --program-id ID [--from ISO --to ISO]}. */
    static Map<String, Object> check(Args args) throws Exception {
        URI uri = URI.create(args.string("api-url", "http://127.0.0.1:4601") + "/v1/attribution/rederive");
        Http.requireLoopback(uri);
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("programId", args.string("program-id"));
        body.put("dryRun", true);
        if (args.string("from", null) != null) {
            body.put("from", args.string("from"));
        }
        if (args.string("to", null) != null) {
            body.put("to", args.string("to"));
        }
        long start = System.nanoTime();
        HttpResponse<String> response = Http.client()
                .send(
                        Http.post(uri, args.string("admin-key"), json.writeValueAsString(body), Duration.ofHours(2)),
                        HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("rederive answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode result = json.readTree(response.body());
        long partnersDiffering = 0;
        for (JsonNode partner : result.path("partners")) {
            if (!partner.path("before").asText().equals(partner.path("after").asText())) {
                partnersDiffering++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", result.path("events").asLong());
        out.put("added", result.path("added").size());
        out.put("changed", result.path("changed").size());
        out.put("removed", result.path("removed").size());
        out.put("partners", result.path("partners").size());
        out.put("partnersDiffering", partnersDiffering);
        out.put(
                "differences",
                result.path("added").size()
                        + result.path("changed").size()
                        + result.path("removed").size()
                        + partnersDiffering);
        out.put("seconds", Math.round(seconds * 10) / 10.0);
        if (result.path("added").size()
                        + result.path("changed").size()
                        + result.path("removed").size()
                > 0) {
            List<JsonNode> sample = new ArrayList<>();
            for (String list : List.of("added", "changed", "removed")) {
                for (JsonNode change : result.path(list)) {
                    if (sample.size() < 5) {
                        sample.add(change);
                    }
                }
            }
            out.put("sample", sample);
        }
        return out;
    }
}
