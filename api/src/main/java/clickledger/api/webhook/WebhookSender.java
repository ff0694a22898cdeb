package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.outbox.RetrySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One signed POST to a receiver. Redirects are not followed (a 3xx is a failed attempt: following it
 * would let a receiver point the api anywhere, past the SSRF guard). The timeout covers the whole
 * exchange, from connecting to reading the (cropped) body.
 */
final class WebhookSender implements AutoCloseable {
    /** The part of a response body kept in the attempt log. */
    static final int MAX_RESPONSE_BYTES = 2048;

    static final String USER_AGENT = "clickledger-webhooks/1";

    private final ExecutorService responses = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final Duration timeout;

    WebhookSender(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(responses)
                .build();
    }

    /**
     * @param keys the current secret's first, then a rotated-out one's still inside its overlap
     * @param now the signing time, from the worker's clock
     */
    Outcome send(
            URI url, String eventType, DeliveryId deliveryId, byte[] body, List<WebhookSignature.Key> keys, Instant now)
            throws InterruptedException {
        long timestamp = now.getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("X-Clickledger-Event", eventType)
                .header("X-Clickledger-Delivery", deliveryId.toString())
                .header("X-Clickledger-Timestamp", Long.toString(timestamp))
                .header("X-Clickledger-Signature", WebhookSignature.signed(timestamp, body, keys))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> response =
                client.sendAsync(request, info -> new CroppedBody(MAX_RESPONSE_BYTES));
        try {
            HttpResponse<String> received = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(
                    received.statusCode(),
                    elapsedMillis(started),
                    null,
                    received.body(),
                    RetrySchedule.parseRetryAfter(
                            received.headers().firstValue("Retry-After").orElse(null), now));
        } catch (TimeoutException e) {
            response.cancel(true);
            return Outcome.failed(
                    "timeout: no complete response within " + timeout.toSeconds() + " s", elapsedMillis(started));
        } catch (InterruptedException e) {
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return Outcome.failed(describe(e.getCause()), elapsedMillis(started));
        }
    }

    private String describe(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "timeout: could not connect within " + timeout.toSeconds() + " s";
        }
        if (failure instanceof HttpTimeoutException) {
            return "timeout: no response within " + timeout.toSeconds() + " s";
        }
        if (rootCause(failure) instanceof UnresolvedAddressException) {
            // The check before the attempt resolved the host; the client's own lookup did not
            // (RebindingGuard refused a non-public answer, or DNS stopped answering in between).
            return "destination_refused: the host did not resolve to a public address when connecting";
        }
        if (failure instanceof ConnectException) {
            return "connection_failed: " + message(failure);
        }
        if (failure instanceof SSLException) {
            return "tls_failed: " + message(failure);
        }
        if (failure instanceof IOException) {
            return "io_failed: " + message(failure);
        }
        return "failed: " + message(failure);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String message(Throwable failure) {
        Throwable cause = failure;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public void close() {
        // Not close(): that waits for exchanges still running, and close() of the worker has already
        // given them their grace period.
        client.shutdownNow();
        responses.shutdownNow();
    }

    /**
     * Keeps the first {@code limit} bytes of a body and stops reading there: a receiver answering
     * with megabytes costs 2 KB of memory and no more time.
     */
    static final class CroppedBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CroppedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), limit - kept.size());
                byte[] bytes = new byte[take];
                buffer.get(bytes);
                kept.write(bytes, 0, take);
            }
            if (kept.size() >= limit) {
                subscription.cancel();
                finish();
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable failure) {
            // The status line and headers arrived; a body cut short still tells what was received.
            finish();
        }

        @Override
        public void onComplete() {
            finish();
        }

        private void finish() {
            result.complete(new String(kept.toByteArray(), StandardCharsets.UTF_8));
        }
    }
}
