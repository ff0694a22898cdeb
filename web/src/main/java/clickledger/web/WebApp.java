package clickledger.web;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A Javalin app with what every clickledger HTTP service has: virtual-thread handlers, a request
 * id in the MDC and the X-Request-Id header, problem+json errors (never a stack trace), a body
 * size limit, a latency timer per route, and /healthz, /readyz, /metrics.
 */
public final class WebApp {
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(WebApp.class);
    private static final String START_NANOS = "clickledger.startNanos";

    private WebApp() {}

    /**
     * Builds the app: this plumbing first, then {@code routes} adds the service's own filters and
     * routes. Javalin 7 takes every route, filter and handler before the server exists, so a
     * service hands them in here rather than adding them to a built app; filters run in the order
     * they were added, so the request id is set before any filter of the service runs.
     */
    public static Javalin create(
            String service,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            long maxBodyBytes,
            Consumer<RoutesConfig> routes) {
        requireNonNull(routes, "routes is null");
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // Our own startup lines say what runs; Javalin's "newer version" hint would only add noise to JSON logs.
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxBodyBytes;
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            config.jetty.modifyServer(server -> server.setStopTimeout(2_000));
            // Jetty caches the header lines of a connection's earlier requests and by default
            // looks them up ignoring case: a header differing from the previous one only in the
            // case of a letter (an API key, a session cookie) reached the handler as the previous
            // value, so a key one case flip from a valid one authenticated as it. Exact matches
            // only; the cache still saves parsing repeated headers (HeaderCacheTest).
            config.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
            plumbing(config.routes, service, registry, ready, maxBodyBytes);
            routes.accept(config.routes);
        });
    }

    private static void plumbing(
            RoutesConfig routes,
            String service,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            long maxBodyBytes) {
        routes.before(ctx -> {
            String requestId = RequestIds.acceptOrCreate(ctx.header(RequestIds.HEADER));
            MDC.put(RequestIds.MDC_KEY, requestId);
            ctx.header(RequestIds.HEADER, requestId);
            ctx.attribute(START_NANOS, System.nanoTime());
        });
        routes.after(ctx -> {
            Long start = ctx.attribute(START_NANOS);
            if (start != null) {
                String route = routeTemplate(ctx);
                Timer.builder("http_server_requests")
                        .tag("method", ctx.method().name())
                        .tag("route", route == null ? "unmatched" : route)
                        .tag("status", Integer.toString(ctx.statusCode()))
                        .register(registry)
                        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            MDC.remove(RequestIds.MDC_KEY);
        });
        routes.exception(ApiException.class, (e, ctx) -> problem(ctx, e));
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> problem(
                        ctx,
                        new ApiException(
                                e.getStatus(),
                                codeFor(e.getStatus()),
                                HttpStatus.forStatus(e.getStatus()).getMessage(),
                                e.getStatus() == 413 ? "body: at most " + maxBodyBytes + " bytes" : e.getMessage(),
                                List.of())));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.atError()
                    .setCause(e)
                    .addKeyValue("method", ctx.method().name())
                    .addKeyValue("path", ctx.path())
                    .log("unhandled error");
            problem(ctx, internalError());
        });
        routes.error(404, ctx -> {
            if (!PROBLEM_JSON.equals(ctx.res().getContentType()) && ctx.result() == null) {
                problem(ctx, new ApiException(404, "not_found", "Not found", "no route for " + ctx.path(), List.of()));
            }
        });
        routes.error(
                405,
                ctx -> problem(
                        ctx,
                        new ApiException(
                                405,
                                "method_not_allowed",
                                "Method not allowed",
                                ctx.method() + " is not allowed here",
                                List.of())));
        // Unless a handler already answered (a route's own 413 naming its field, or a page).
        routes.error(413, ctx -> {
            if (!PROBLEM_JSON.equals(ctx.res().getContentType()) && ctx.result() == null) {
                problem(
                        ctx,
                        new ApiException(
                                413,
                                "body_too_large",
                                "Body too large",
                                "body: at most " + maxBodyBytes + " bytes",
                                List.of()));
            }
        });
        routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok", "service", service)));
        routes.get("/readyz", ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "ready" : "not ready", "service", service));
        });
        routes.get("/metrics", ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(registry.scrape()));
    }

    /**
     * The template of the route the request matched ({@code /v1/links/{id}}), or null when none
     * did. Usable from before-matched filters on (the route is known once it matched) and in after
     * filters, where the endpoint being run is the filter itself.
     */
    public static String routeTemplate(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null || endpoint.path.isEmpty() ? null : endpoint.path;
    }

    /** The 500 of an unexpected failure: nothing of it but the request id to quote (it is logged). */
    public static ApiException internalError() {
        return new ApiException(
                500,
                "internal_error",
                "Internal error",
                "something went wrong; quote request id " + MDC.get(RequestIds.MDC_KEY),
                List.of());
    }

    public static void problem(Context ctx, ApiException e) {
        if (e.retryAfter() != null) {
            ctx.header("Retry-After", e.retryAfter());
        }
        try {
            ctx.status(e.status()).contentType(PROBLEM_JSON).result(Json.MAPPER.writeValueAsString(problemBody(e)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            ctx.status(500).result("{}");
        }
    }

    /** The application/problem+json body of {@code e}, as {@link #problem} sends it (also per item of a batch). */
    public static Map<String, Object> problemBody(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://clickledger.dev/problems/" + e.code());
        body.put("title", e.title());
        body.put("status", e.status());
        body.put("detail", e.getMessage());
        body.put("code", e.code());
        if (!e.fieldErrors().isEmpty()) {
            body.put("errors", e.fieldErrors());
        }
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        return body;
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 413 -> "body_too_large";
            default -> "http_" + status;
        };
    }
}
