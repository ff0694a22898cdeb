package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.common.metrics.Metrics;
import clickledger.router.click.ClientResolver;
import clickledger.router.domain.Domains;
import clickledger.router.redirect.Answer;
import clickledger.router.redirect.RedirectHandler;
import clickledger.router.redirect.Visit;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The router's only handler: redirects, plus /healthz, /readyz, /metrics and the on-demand TLS
 * ask, /internal/domains/ask. Redirects go by the request's {@code Host}: a custom domain's links,
 * or the default host's; an unknown host is a 404 (docs/decisions/0024). Never blocks.
 */
final class RouterHandler extends Handler.Abstract.NonBlocking {
    /** /readyz: the status, and a JSON body that says which store takes clicks and why. */
    record Readiness(boolean ready, String body) {}

    static final String HEALTHZ = "/healthz";
    static final String READYZ = "/readyz";
    static final String METRICS = "/metrics";
    static final String ASK_PATH = "/internal/domains/ask";
    private final RedirectHandler redirects;
    private final Domains domains;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Readiness> ready;

    RouterHandler(
            RedirectHandler redirects, Domains domains, PrometheusMeterRegistry registry, Supplier<Readiness> ready) {
        this.redirects = requireNonNull(redirects, "redirects is null");
        this.domains = requireNonNull(domains, "domains is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.ready = requireNonNull(ready, "ready is null");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders()
                .put(
                        RequestIds.HEADER,
                        RequestIds.acceptOrCreate(request.getHeaders().get(RequestIds.HEADER)));
        String path = Request.getPathInContext(request);
        switch (path) {
            case HEALTHZ ->
                text(response, callback, 200, "application/json", "{\"status\":\"ok\",\"service\":\"router\"}");
            case READYZ -> {
                Readiness readiness = ready.get();
                text(response, callback, readiness.ready() ? 200 : 503, "application/json", readiness.body());
            }
            case METRICS -> text(response, callback, 200, Metrics.CONTENT_TYPE, registry.scrape());
            case ASK_PATH -> ask(request, response, callback);
            default -> redirect(request, response, callback, path);
        }
        return true;
    }

    /** True for the paths this handler answers itself; every other path is a redirect's. */
    static boolean servicePath(String path) {
        return switch (path) {
            case HEALTHZ, READYZ, METRICS, ASK_PATH -> true;
            default -> false;
        };
    }

    private void redirect(Request request, Response response, Callback callback, String path) {
        redirects.route(
                new JettyVisit(request),
                new JettyAnswer(response, callback),
                request.getHeaders().get(HttpHeader.HOST),
                path);
    }

    /** A request Jetty parsed, as a redirect reads it. */
    private record JettyVisit(Request request) implements Visit {
        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String query() {
            return request.getHttpURI().getQuery();
        }

        @Override
        public String userAgent() {
            return request.getHeaders().get(HttpHeader.USER_AGENT);
        }

        @Override
        public String referer() {
            return request.getHeaders().get(HttpHeader.REFERER);
        }

        @Override
        public ClientResolver.Client client(ClientResolver clients) {
            SocketAddress address = request.getConnectionMetaData().getRemoteSocketAddress();
            return clients.resolve(
                    address instanceof InetSocketAddress inet ? inet.getAddress() : null,
                    request.isSecure(),
                    request.getHeaders());
        }

        @Override
        public long beginNanos() {
            return request.getBeginNanoTime();
        }
    }

    /** A redirect's answer through Jetty's response. */
    private record JettyAnswer(Response response, Callback callback) implements Answer {
        @Override
        public void page(int status, String contentType, ByteBuffer body, String header, String value) {
            response.setStatus(status);
            HttpFields.Mutable headers = response.getHeaders();
            headers.put(HttpHeader.CACHE_CONTROL, "no-store");
            headers.put(HttpHeader.CONTENT_TYPE, contentType);
            if (header != null) {
                headers.put(header, value);
            }
            response.write(true, body, callback);
        }

        @Override
        public void found(String location, String cookie, Runnable written) {
            response.setStatus(HttpStatus.FOUND_302);
            HttpFields.Mutable headers = response.getHeaders();
            headers.put(HttpHeader.CACHE_CONTROL, "no-store");
            headers.put(HttpHeader.LOCATION, location);
            if (cookie != null) {
                headers.add(HttpHeader.SET_COOKIE, cookie);
            }
            // Nested keeps the callback's invocation type, so Jetty completes the response exactly
            // as it would without the hook.
            response.write(
                    true,
                    BufferUtil.EMPTY_BUFFER,
                    written == null
                            ? callback
                            : new Callback.Nested(callback) {
                                @Override
                                public void succeeded() {
                                    written.run();
                                    super.succeeded();
                                }
                            });
        }
    }

    /**
     * Caddy's on-demand TLS asks here before it obtains a certificate for a name: 200 only for a
     * known domain, so nobody can make the proxy request certificates for arbitrary names. An
     * in-memory lookup, as cheap as a redirect's, so it needs no rate limit of its own.
     */
    private void ask(Request request, Response response, Callback callback) {
        boolean known =
                domains.table().known(domainParameter(request.getHttpURI().getQuery()));
        text(
                response,
                callback,
                known ? 200 : 404,
                "application/json",
                known ? "{\"status\":\"known\"}" : "{\"status\":\"unknown\"}");
    }

    // The first domain= of the query, decoded; null when absent or malformed (a 404, never a 500).
    private static String domainParameter(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&", 16)) {
            if (pair.startsWith("domain=")) {
                try {
                    return URLDecoder.decode(pair.substring("domain=".length()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static void text(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, body, callback);
    }
}
