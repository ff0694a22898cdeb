package clickledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** The HTTP side of the api load tools: loopback only, HTTP/1.1, JSON with a bearer key. */
final class Http {
    private Http() {}

    static void requireLoopback(URI uri) {
        if (!uri.getHost().equals("127.0.0.1") && !uri.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load tests only target loopback");
        }
    }

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpRequest post(URI uri, String key, String body) {
        return post(uri, key, body, Duration.ofSeconds(30));
    }

    static HttpRequest post(URI uri, String key, String body, Duration timeout) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
