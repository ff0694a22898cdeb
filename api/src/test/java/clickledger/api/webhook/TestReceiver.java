package clickledger.api.webhook;

import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A real HTTP receiver on a free local port (the JDK's HttpServer): records every request and
 * answers as the test's {@link Responder} says, so delivery is tested over real sockets.
 */
final class TestReceiver implements AutoCloseable {
    /** One request as it arrived. */
    record Received(Headers headers, byte[] body, int index) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        String deliveryId() {
            return header("X-Clickledger-Delivery");
        }
    }

    /** How to answer; {@code delay} is slept before answering. */
    record Reply(int status, Map<String, String> headers, String body, Duration delay) {
        static Reply status(int status) {
            return new Reply(status, Map.of(), "", Duration.ZERO);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> all = new java.util.HashMap<>(headers);
            all.put(name, value);
            return new Reply(status, all, body, delay);
        }

        Reply withBody(String text) {
            return new Reply(status, headers, text, delay);
        }

        Reply after(Duration wait) {
            return new Reply(status, headers, body, wait);
        }
    }

    @FunctionalInterface
    interface Responder {
        Reply reply(Received request);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlightByPath = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlightByPath = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Responder responder;

    private TestReceiver(Responder responder) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static TestReceiver start(Responder responder) {
        try {
            return new TestReceiver(responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestReceiver answering(int status) {
        return start(request -> Reply.status(status));
    }

    void respond(Responder next) {
        this.responder = next;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    /** The most requests to one path (one endpoint's URL) open at the same time. */
    int maxInFlight(String path) {
        AtomicInteger most = maxInFlightByPath.get(path);
        return most == null ? 0 : most.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        String path = exchange.getRequestURI().getPath();
        AtomicInteger onPath = inFlightByPath.computeIfAbsent(path, any -> new AtomicInteger());
        maxInFlightByPath
                .computeIfAbsent(path, any -> new AtomicInteger())
                .accumulateAndGet(onPath.incrementAndGet(), Math::max);
        boolean countedOut = false;
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Received request = new Received(exchange.getRequestHeaders(), body, received.size());
            received.add(request);
            Reply reply = responder.reply(request);
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            reply.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            // Counted out before the answer leaves: the sender may send its next request as soon as
            // it has this answer, before this thread got to a finally, and the count would then
            // overstate what the sender had open at once by one.
            countedOut = true;
            onPath.decrementAndGet();
            inFlight.decrementAndGet();
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } finally {
            if (!countedOut) {
                onPath.decrementAndGet();
                inFlight.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Polls until the condition holds; fails the test after the timeout. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
