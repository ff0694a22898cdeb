package clickledger.web;

import clickledger.common.log.RequestIds;
import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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

    public static Javalin create(
            String service, PrometheusMeterRegistry registry, BooleanSupplier ready, long maxBodyBytes) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = maxBodyBytes;
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            config.jetty.modifyServer(server -> server.setStopTimeout(2_000));
        });
        app.before(ctx -> {
            String requestId = RequestIds.acceptOrCreate(ctx.header(RequestIds.HEADER));
            MDC.put(RequestIds.MDC_KEY, requestId);
            ctx.header(RequestIds.HEADER, requestId);
            ctx.attribute(START_NANOS, System.nanoTime());
        });
        app.after(ctx -> {
            Long start = ctx.attribute(START_NANOS);
            if (start != null) {
                String route = ctx.endpointHandlerPath();
                Timer.builder("http_server_requests")
                        .tag("method", ctx.method().name())
                        .tag("route", route == null || route.isEmpty() ? "unmatched" : route)
                        .tag("status", Integer.toString(ctx.statusCode()))
                        .register(registry)
                        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            MDC.remove(RequestIds.MDC_KEY);
        });
        app.exception(ApiException.class, (e, ctx) -> problem(ctx, e));
        app.exception(
                HttpResponseException.class,
                (e, ctx) -> problem(
                        ctx,
                        new ApiException(
                                e.getStatus(),
                                codeFor(e.getStatus()),
                                HttpStatus.forStatus(e.getStatus()).getMessage(),
                                e.getMessage(),
                                List.of())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.atError()
                    .setCause(e)
                    .addKeyValue("method", ctx.method().name())
                    .addKeyValue("path", ctx.path())
                    .log("unhandled error");
            problem(
                    ctx,
                    new ApiException(
                            500,
                            "internal_error",
                            "Internal error",
                            "something went wrong; quote request id " + MDC.get(RequestIds.MDC_KEY),
                            List.of()));
        });
        app.error(404, ctx -> {
            if (!PROBLEM_JSON.equals(ctx.res().getContentType()) && ctx.result() == null) {
                problem(ctx, new ApiException(404, "not_found", "Not found", "no route for " + ctx.path(), List.of()));
            }
        });
        app.error(
                405,
                ctx -> problem(
                        ctx,
                        new ApiException(
                                405,
                                "method_not_allowed",
                                "Method not allowed",
                                ctx.method() + " is not allowed here",
                                List.of())));
        app.error(
                413,
                ctx -> problem(
                        ctx,
                        new ApiException(
                                413,
                                "body_too_large",
                                "Body too large",
                                "body: at most " + maxBodyBytes + " bytes",
                                List.of())));
        app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok", "service", service)));
        app.get("/readyz", ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "ready" : "not ready", "service", service));
        });
        app.get("/metrics", ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(registry.scrape()));
        return app;
    }

    public static void problem(Context ctx, ApiException e) {
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
        try {
            ctx.status(e.status()).contentType(PROBLEM_JSON).result(Json.MAPPER.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            ctx.status(500).result("{}");
        }
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
