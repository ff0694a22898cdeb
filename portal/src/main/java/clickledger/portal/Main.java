package clickledger.portal;

import clickledger.common.config.ConfigException;
import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import java.net.http.HttpClient;
import org.slf4j.LoggerFactory;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Before the first logger exists: logback.xml stamps every line with this service name.
        System.setProperty("clickledger.service", "portal");
        PortalConfig config;
        try {
            config = PortalConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // HTTP/1.1 with keep-alive: the api speaks plain http inside the deployment, where the
        // client's default (HTTP/2) would first try an h2c upgrade on every new connection.
        HttpClient httpClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(ApiHealth.TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        Javalin app = PortalApp.create(config, Metrics.newRegistry("portal"), httpClient);
        Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "portal-shutdown"));
        app.start(config.port());
        LoggerFactory.getLogger(Main.class)
                .atInfo()
                .addKeyValue("port", app.port())
                .addKeyValue("portalUrl", config.portalUrl())
                .addKeyValue("apiUrl", config.apiUrl())
                .log("portal started");
    }
}
