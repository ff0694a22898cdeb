package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.common.metrics.Metrics;
import clickledger.router.redirect.RedirectHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The router's only handler: redirects, plus /healthz, /readyz and /metrics. Never blocks. */
final class RouterHandler extends Handler.Abstract.NonBlocking {
    /** /readyz: the status, and a JSON body that says which store takes clicks and why. */
    record Readiness(boolean ready, String body) {}

    private final RedirectHandler redirects;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Readiness> ready;

    RouterHandler(RedirectHandler redirects, PrometheusMeterRegistry registry, Supplier<Readiness> ready) {
        this.redirects = requireNonNull(redirects, "redirects is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.ready = requireNonNull(ready, "ready is null");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders()
                .put(
                        RequestIds.HEADER,
                        RequestIds.acceptOrCreate(request.getHeaders().get(RequestIds.HEADER)));
        String method = request.getMethod();
        boolean read = "GET".equals(method) || "HEAD".equals(method);
        String path = Request.getPathInContext(request);
        if (path.startsWith(RedirectHandler.PREFIX)) {
            if (!read) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                text(
                        response,
                        callback,
                        HttpStatus.METHOD_NOT_ALLOWED_405,
                        "text/plain; charset=utf-8",
                        "method not allowed\n");
                return true;
            }
            redirects.handle(request, response, callback, path.substring(RedirectHandler.PREFIX.length()));
            return true;
        }
        switch (path) {
            case "/healthz" ->
                text(response, callback, 200, "application/json", "{\"status\":\"ok\",\"service\":\"router\"}");
            case "/readyz" -> {
                Readiness readiness = ready.get();
                text(response, callback, readiness.ready() ? 200 : 503, "application/json", readiness.body());
            }
            case "/metrics" -> text(response, callback, 200, Metrics.CONTENT_TYPE, registry.scrape());
            default -> {
                response.setStatus(HttpStatus.NOT_FOUND_404);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
                response.write(true, RedirectHandler.notFoundPage(), callback);
            }
        }
        return true;
    }

    private static void text(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, body, callback);
    }
}
