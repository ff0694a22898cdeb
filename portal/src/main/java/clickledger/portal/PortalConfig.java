package clickledger.portal;

import clickledger.common.config.EnvReader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The portal's settings, every variable named here.
 *
 * @param publicApiUrl the api as a browser reaches it (links on pages)
 * @param publicRouterUrl the router as a visitor reaches it (shareable link URLs)
 * @param portalUrl the portal's own public address (links in mail, redirects after login)
 * @param apiUrl the api as the portal process reaches it; differs from {@code publicApiUrl} when the
 *     two run side by side behind a proxy or in containers ({@code http://api:4601})
 * @param liveInterval PORTAL_LIVE_SECONDS: how often the live click counter asks the api, once per
 *     program however many dashboards are open (the api's own LIVE_STATS_SECONDS caps its queries)
 */
public record PortalConfig(
        int port, URI publicApiUrl, URI publicRouterUrl, URI portalUrl, URI apiUrl, Duration liveInterval) {
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_API_URL = "http://localhost:4601";
    public static final String DEFAULT_ROUTER_URL = "http://localhost:4701";
    // A counter that moves every few seconds reads as live; faster would only cost api calls.
    public static final int DEFAULT_LIVE_SECONDS = 5;

    /** Reads the environment; throws one {@link clickledger.common.config.ConfigException} naming every problem. */
    public static PortalConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment);
        int port = env.port("PORTAL_PORT", DEFAULT_PORT);
        URI publicApiUrl = URI.create(env.baseUrl("PUBLIC_API_URL", DEFAULT_API_URL));
        URI publicRouterUrl = URI.create(env.baseUrl("PUBLIC_ROUTER_URL", DEFAULT_ROUTER_URL));
        URI portalUrl = URI.create(env.baseUrl("PORTAL_URL", "http://localhost:" + (port == 0 ? DEFAULT_PORT : port)));
        URI apiUrl = URI.create(env.baseUrl("API_URL", publicApiUrl.toString()));
        int liveSeconds = env.integer("PORTAL_LIVE_SECONDS", DEFAULT_LIVE_SECONDS, 1, 60);
        env.finish();
        return new PortalConfig(
                port, publicApiUrl, publicRouterUrl, portalUrl, apiUrl, Duration.ofSeconds(liveSeconds));
    }
}
