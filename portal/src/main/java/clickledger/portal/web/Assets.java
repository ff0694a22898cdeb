package clickledger.portal.web;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Every file a page loads, served from the jar under {@code /assets/}: the portal's stylesheet and
 * script, and htmx and uPlot from their WebJars. Nothing comes from a CDN, so the portal works
 * offline and the CSP stays {@code default-src 'self'}. Read once at start; a missing file stops
 * the portal there rather than breaking a page later.
 */
public final class Assets {
    private static final String OWN = "/clickledger/portal/assets/";
    private static final String WEBJARS = "/META-INF/resources/webjars/";

    private record Asset(byte[] bytes, String contentType) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    public Assets() {
        own("portal.css", "text/css; charset=utf-8");
        own("portal.js", "text/javascript; charset=utf-8");
        own("favicon.svg", "image/svg+xml");
        webjar("htmx.min.js", "htmx.org", "dist/htmx.min.js", "text/javascript; charset=utf-8");
        webjar("uPlot.min.js", "uplot", "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8");
        webjar("uPlot.min.css", "uplot", "dist/uPlot.min.css", "text/css; charset=utf-8");
    }

    public void register(RoutesConfig routes) {
        assets.forEach((name, asset) -> routes.get("/assets/" + name, ctx -> ctx.contentType(asset.contentType())
                .header("Cache-Control", "public, max-age=3600")
                .result(asset.bytes())));
    }

    private void own(String name, String contentType) {
        assets.put(name, new Asset(read(OWN + name), contentType));
    }

    /** The WebJar's version comes from its own pom.properties, so upgrading is a pom change only. */
    private void webjar(String name, String artifact, String path, String contentType) {
        String version = webjarVersion(artifact);
        assets.put(name, new Asset(read(WEBJARS + artifact + "/" + version + "/" + path), contentType));
    }

    static String webjarVersion(String artifact) {
        Properties properties = new Properties();
        try (InputStream in = open("/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    static byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = Assets.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("portal asset " + resource + " is missing from the jar");
        }
        return in;
    }
}
