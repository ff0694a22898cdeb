package clickledger.portal;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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
    public static final Setting PORTAL_PORT = Setting.withDefault("PORTAL_PORT", "8080", "HTTP port");
    // Read by the api too (invitation links), so declared once among the shared settings.
    public static final Setting PORTAL_URL = SharedSettings.PORTAL_URL;
    public static final Setting API_URL = Setting.computed(
            "API_URL", "`PUBLIC_API_URL`", "the api as the portal process reaches it (`http://api:4601` in Compose)");
    // A counter that moves every few seconds reads as live; faster would only cost api calls.
    public static final Setting PORTAL_LIVE_SECONDS = Setting.withDefault(
            "PORTAL_LIVE_SECONDS",
            "5",
            "how often the dashboard's live click counter asks the api (1 to 60 s), once per program however many dashboards are open");
    static final String DEFAULT_API_URL = "http://localhost:4601";

    /** Every variable the portal reads; docs/configuration.md is generated from these lists. */
    public static final List<Setting> SETTINGS = List.of(
            SharedSettings.LOG_FORMAT,
            SharedSettings.LOG_LEVEL,
            SharedSettings.PUBLIC_API_URL,
            SharedSettings.PUBLIC_ROUTER_URL,
            PORTAL_PORT,
            PORTAL_URL,
            API_URL,
            PORTAL_LIVE_SECONDS);

    /** Reads the environment; throws one {@link clickledger.common.config.ConfigException} naming every problem. */
    public static PortalConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment, SETTINGS);
        int port = env.port(PORTAL_PORT);
        URI publicApiUrl = URI.create(env.baseUrl(SharedSettings.PUBLIC_API_URL, DEFAULT_API_URL));
        URI publicRouterUrl = URI.create(env.baseUrl(SharedSettings.PUBLIC_ROUTER_URL));
        URI portalUrl = URI.create(env.baseUrl(
                PORTAL_URL, "http://localhost:" + (port == 0 ? PORTAL_PORT.defaultValue() : Integer.toString(port))));
        URI apiUrl = URI.create(env.baseUrl(API_URL, publicApiUrl.toString()));
        int liveSeconds = env.integer(PORTAL_LIVE_SECONDS, 1, 60);
        env.finish();
        return new PortalConfig(
                port, publicApiUrl, publicRouterUrl, portalUrl, apiUrl, Duration.ofSeconds(liveSeconds));
    }
}
