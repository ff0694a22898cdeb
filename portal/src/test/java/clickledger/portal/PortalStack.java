package clickledger.portal;

import clickledger.api.ApiApp;
import clickledger.api.ApiConfig;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.router.RouterApp;
import clickledger.router.RouterConfig;
import clickledger.testkit.PostgresFixture;
import com.sun.net.httpserver.HttpServer;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The whole system on free loopback ports, as production builds it: a fresh database in the
 * suite's real PostgreSQL, the api ({@link ApiApp#create}), the router ({@link RouterApp#create},
 * when asked for) and the portal ({@link PortalApp#create}), plus a merchant's landing page for the
 * router to send visitors to. The portal reaches the api over HTTP only, exactly as deployed.
 */
final class PortalStack implements AutoCloseable {
    static final String ADMIN_KEY = "portal-test-admin-key-0123456789abcdef";
    static final String SECRETS_KEY = "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=";

    final ApiApp api;
    final RouterApp router;
    final Database routerDatabase;
    final Javalin portal;
    final HttpServer shop;
    final PrometheusMeterRegistry portalRegistry;
    /** The api's clock: {@link ShiftableClock#advance} makes its links expire. */
    final ShiftableClock apiClock;

    private final Path spool;
    private final Path mailDir;

    private PortalStack(
            ApiApp api,
            RouterApp router,
            Database routerDatabase,
            Javalin portal,
            HttpServer shop,
            PrometheusMeterRegistry portalRegistry,
            Path spool,
            Path mailDir,
            ShiftableClock apiClock) {
        this.api = api;
        this.router = router;
        this.routerDatabase = routerDatabase;
        this.portal = portal;
        this.shop = shop;
        this.portalRegistry = portalRegistry;
        this.spool = spool;
        this.mailDir = mailDir;
        this.apiClock = apiClock;
    }

    /**
     * @param withRouter whether to run the router too (the browser journey clicks a link)
     * @param apiEnv settings for the api beyond the defaults here
     * @param portalEnv settings for the portal beyond the defaults here
     */
    static PortalStack start(boolean withRouter, Map<String, String> apiEnv, Map<String, String> portalEnv) {
        HttpServer shop = shop();
        DatabaseConfig.Endpoint database = PostgresFixture.get().newDatabase();
        Path spool = null;
        Path mailDir = null;
        RouterApp router = null;
        Database routerDatabase = null;
        String routerUrl = "http://127.0.0.1:1";
        try {
            if (withRouter) {
                spool = Files.createTempDirectory("portal-test-spool-");
                Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(database));
                env.put("ROUTER_PORT", "0");
                env.put("CLICK_SPOOL_DIR", spool.toString());
                env.put("DB_POOL_SIZE", "2");
                RouterConfig config = RouterConfig.fromEnv(env);
                PrometheusMeterRegistry registry = Metrics.newRegistry("router");
                routerDatabase = Database.open("router", config.database(), registry, Clock.systemUTC(), 0);
                router = RouterApp.create(config, routerDatabase, Clock.systemUTC(), registry)
                        .start();
                routerUrl = "http://127.0.0.1:" + router.port();
            }
            int portalPort = freePort();
            String portalUrl = "http://127.0.0.1:" + portalPort;
            // The api's own public address is known before it starts: it writes it into the
            // Stripe webhook URL the portal shows, which the browser tests then post to.
            int apiPort = freePort();
            Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(database));
            env.put("API_PORT", Integer.toString(apiPort));
            env.put("PUBLIC_API_URL", "http://127.0.0.1:" + apiPort);
            env.put("ADMIN_API_KEY", ADMIN_KEY);
            env.put("SECRETS_ENCRYPTION_KEY", SECRETS_KEY);
            env.put("PUBLIC_ROUTER_URL", routerUrl);
            env.put("PORTAL_URL", portalUrl);
            env.put("DB_POOL_SIZE", "4");
            // The portal appends the browser's address to X-Forwarded-For; the api believes it from loopback.
            env.put("TRUSTED_PROXIES", "127.0.0.1/32");
            // The test's webhook receiver is the shop on loopback.
            env.put("WEBHOOK_ALLOW_PRIVATE", "true");
            env.put("LIVE_STATS_SECONDS", "1");
            // Uploads (program logos) in a directory of this stack's own, under target/.
            Files.createDirectories(Path.of("target", "test-storage"));
            env.put(
                    "STORAGE_DIR",
                    Files.createTempDirectory(Path.of("target", "test-storage"), "portal-")
                            .toAbsolutePath()
                            .toString());
            // Without SMTP_URL the api writes mail as files: into a directory of this stack, not the module's.
            mailDir = Files.createTempDirectory("portal-test-mail-");
            env.put("MAIL_DIR", mailDir.toString());
            env.putAll(apiEnv);
            ShiftableClock apiClock = new ShiftableClock();
            ApiApp api = ApiApp.create(ApiConfig.fromEnv(env), apiClock).start();
            Map<String, String> portalSettings = new HashMap<>();
            portalSettings.put("PORTAL_PORT", Integer.toString(portalPort));
            portalSettings.put("PORTAL_URL", portalUrl);
            portalSettings.put("API_URL", "http://127.0.0.1:" + api.port());
            portalSettings.put("PUBLIC_API_URL", "http://127.0.0.1:" + api.port());
            portalSettings.put("PUBLIC_ROUTER_URL", routerUrl);
            portalSettings.put("PORTAL_LIVE_SECONDS", "1");
            portalSettings.putAll(portalEnv);
            PrometheusMeterRegistry portalRegistry = Metrics.newRegistry("portal");
            Javalin portal = PortalApp.create(
                            PortalConfig.fromEnv(portalSettings),
                            portalRegistry,
                            HttpClient.newBuilder()
                                    .connectTimeout(Duration.ofSeconds(2))
                                    .followRedirects(HttpClient.Redirect.NEVER)
                                    .build())
                    .start("127.0.0.1", portalPort);
            return new PortalStack(api, router, routerDatabase, portal, shop, portalRegistry, spool, mailDir, apiClock);
        } catch (Exception e) {
            shop.stop(0);
            if (router != null) {
                router.close();
            }
            if (routerDatabase != null) {
                routerDatabase.close();
            }
            throw new IllegalStateException("could not start the portal's test stack", e);
        }
    }

    String portalUrl() {
        return "http://127.0.0.1:" + portal.port();
    }

    String apiUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    /** A JSON call to the api as a script would make it; {@code key} null for a public route, {@code body} null for none. */
    HttpResponse<String> callApi(String method, String path, String key, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl() + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpBrowser.send(request);
    }

    String shopUrl() {
        return "http://127.0.0.1:" + shop.getAddress().getPort();
    }

    /** Waits until the router's cache, fed by LISTEN/NOTIFY, knows {@code slug}. */
    void awaitRouterKnows(String slug) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (router.cache().get(slug) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the router never learned of link " + slug);
            }
            Thread.sleep(20);
        }
    }

    /** A merchant's page: what a visitor lands on after the router's redirect. */
    private static HttpServer shop() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] body = "<!doctype html><title>Acme sign-up</title><h1>Welcome to Acme</h1>"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free a moment ago; the portal must know its own URL before it starts. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        portal.stop();
        api.close();
        if (router != null) {
            router.close();
            routerDatabase.close();
        }
        shop.stop(0);
        deleteTree(spool);
        deleteTree(mailDir);
    }

    private static void deleteTree(Path directory) {
        if (directory == null) {
            return;
        }
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; the OS cleans it eventually
        }
    }
}
