package clickledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the clients of an api load saw: every latency, the answers by status, the requests that
 * got no answer. One {@link Client} per client thread, so recording never contends; summed at the
 * end.
 */
final class Tally {
    /** One client's share; used by its own thread only. */
    static final class Client {
        final Latencies latencies = new Latencies();
        final Map<Integer, Long> statuses = new TreeMap<>();
        long errors;

        /** Sends one request and notes its answer or error; false when the thread was interrupted. */
        boolean send(HttpClient http, HttpRequest request) {
            long sent = System.nanoTime();
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                latencies.add((System.nanoTime() - sent) / 1_000);
                statuses.merge(status, 1L, Long::sum);
            } catch (IOException e) {
                errors++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }

        /**
         * Sends one {@code POST /v1/events/batch} of {@code items} events and notes each event's
         * answer (its result's status; the request's own status for every event when it was
         * refused whole); false when the thread was interrupted.
         */
        boolean sendBatch(HttpClient http, HttpRequest request, int items) {
            long sent = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                latencies.add((System.nanoTime() - sent) / 1_000);
                if (response.statusCode() != 200) {
                    statuses.merge(response.statusCode(), (long) items, Long::sum);
                    return true;
                }
                for (JsonNode result : JSON.readTree(response.body()).path("results")) {
                    statuses.merge(result.path("status").asInt(), 1L, Long::sum);
                }
            } catch (IOException e) {
                errors += items;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Client> clients = new ArrayList<>();

    Client client() {
        Client client = new Client();
        clients.add(client);
        return client;
    }

    /** Adds requests, answers per second with {@code status}, statuses, errors, p50 and p99 to {@code result}. */
    void into(Map<String, Object> result, double seconds, int status) {
        Latencies all = new Latencies();
        Map<Integer, Long> statuses = new TreeMap<>();
        long errors = 0;
        for (Client client : clients) {
            all.addAll(client.latencies);
            client.statuses.forEach((code, count) -> statuses.merge(code, count, Long::sum));
            errors += client.errors;
        }
        result.put("requests", all.size());
        result.put("perSecond", Math.round(statuses.getOrDefault(status, 0L) / seconds));
        result.put("statuses", statuses);
        result.put("errors", errors);
        result.put("p50Ms", all.percentileMillis(0.50));
        result.put("p99Ms", all.percentileMillis(0.99));
    }
}
