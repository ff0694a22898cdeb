package clickledger.api.docs;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Swagger UI for /openapi.json at {@code /docs}, every file served by the api itself from the
 * org.webjars:swagger-ui jar (no CDN), under a CSP that allows no inline script: the page is
 * static HTML and the initializer is a file of its own. Assets are read once at start, so a
 * missing one stops the api instead of breaking the page later.
 */
public final class ApiDocs {
    public static final String PATH = "/docs";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String OWN = "clickledger/api/docs/";

    private final Map<String, Asset> assets;
    private final String contentSecurityPolicy;

    private record Asset(byte[] bytes, String contentType) {}

    /** @param publicApiUrl where "Try it out" sends requests (the document's servers entry) */
    public ApiDocs(String publicApiUrl) {
        requireNonNull(publicApiUrl, "publicApiUrl is null");
        String version = webjarVersion();
        Map<String, Asset> files = new LinkedHashMap<>();
        files.put("swagger-ui.css", asset(WEBJAR + version + "/swagger-ui.css", "text/css; charset=utf-8"));
        files.put(
                "swagger-ui-bundle.js",
                asset(WEBJAR + version + "/swagger-ui-bundle.js", "text/javascript; charset=utf-8"));
        files.put("favicon-32x32.png", asset(WEBJAR + version + "/favicon-32x32.png", "image/png"));
        files.put("favicon-16x16.png", asset(WEBJAR + version + "/favicon-16x16.png", "image/png"));
        files.put("docs.css", asset(OWN + "docs.css", "text/css; charset=utf-8"));
        files.put("initializer.js", asset(OWN + "initializer.js", "text/javascript; charset=utf-8"));
        files.put("", asset(OWN + "docs.html", "text/html; charset=utf-8"));
        this.assets = Map.copyOf(files);
        URI api = URI.create(publicApiUrl);
        String apiOrigin = api.getScheme() + "://" + api.getRawAuthority();
        // img-src data: for the icons swagger-ui.css inlines; style-src stays 'self' because React
        // sets style properties through the DOM, which CSP does not govern.
        this.contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self' " + apiOrigin + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> serve(ctx, ""));
        routes.get(PATH + "/{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    /** The names under /docs/, for tests that fetch each one. */
    public Set<String> files() {
        return assets.keySet();
    }

    private void serve(Context ctx, String file) {
        Asset asset = assets.get(file);
        if (asset == null) {
            ctx.status(404);
            return;
        }
        ctx.header("Content-Security-Policy", contentSecurityPolicy)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", file.isEmpty() ? "no-cache" : "public, max-age=3600")
                .contentType(asset.contentType())
                .result(asset.bytes());
    }

    private static String webjarVersion() {
        Properties properties = new Properties();
        try (InputStream in = open("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the swagger-ui WebJar's version", e);
        }
        return requireNonNull(properties.getProperty("version"), "the swagger-ui WebJar names no version");
    }

    private static Asset asset(String resource, String contentType) {
        try (InputStream in = open(resource)) {
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is missing from the classpath");
        }
        return in;
    }
}
