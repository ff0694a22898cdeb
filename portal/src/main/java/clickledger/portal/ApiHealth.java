package clickledger.portal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The portal is ready when the api answers: every page it will serve is built from api calls. The
 * one-second bound keeps a readiness probe (usually on a 1-5 s timeout itself) from hanging on a
 * stalled api.
 */
final class ApiHealth implements BooleanSupplier {
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final HttpClient httpClient;
    private final HttpRequest request;

    ApiHealth(HttpClient httpClient, URI apiUrl) {
        this.httpClient = requireNonNull(httpClient, "httpClient is null");
        this.request = HttpRequest.newBuilder(URI.create(apiUrl + "/healthz"))
                .timeout(TIMEOUT)
                .GET()
                .build();
    }

    @Override
    public boolean getAsBoolean() {
        try {
            return httpClient
                            .send(request, HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
