package clickledger.portal;

import clickledger.web.WebApp;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.util.Map;

/** Builds the portal from its dependencies; {@link Main} and the tests call this same factory. */
public final class PortalApp {
    /** Forms are the largest bodies the portal will take; uploads get their own limit when they arrive. */
    static final long MAX_BODY_BYTES = 1024 * 1024;

    // Every asset ships in the jar: no CDN, so the portal works offline and the CSP can stay 'self'.
    private static final Map<String, String> ASSETS =
            Map.of("portal.css", "text/css; charset=utf-8", "favicon.svg", "image/svg+xml");

    private PortalApp() {}

    public static Javalin create(PortalConfig config, PrometheusMeterRegistry registry, HttpClient httpClient) {
        String home = HomePage.render(config);
        return WebApp.create("portal", registry, new ApiHealth(httpClient, config.apiUrl()), MAX_BODY_BYTES, routes -> {
            routes.before(PortalApp::securityHeaders);
            routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(home));
            ASSETS.forEach((name, contentType) -> {
                byte[] bytes = resource("assets/" + name);
                routes.get("/assets/" + name, ctx -> ctx.contentType(contentType)
                        .header("Cache-Control", "public, max-age=300")
                        .result(bytes));
            });
        });
    }

    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'self'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("X-Frame-Options", "DENY");
    }

    static byte[] resource(String name) {
        try (InputStream in = PortalApp.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("portal resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
