package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.router.click.MmdbWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 end to end: a real router with a GeoIP database behind a trusted proxy stores each
 * click's country, device, browser, OS and referrer domain.
 */
class ClickIntelligenceTest {
    private static final String SAMSUNG =
            "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0"
                    + " Chrome/115.0.0.0 Mobile Safari/537.36";
    private static Path geoIpDirectory;
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        geoIpDirectory = Files.createTempDirectory("clickledger-geoip-");
        Path database = geoIpDirectory.resolve("country.mmdb");
        new MmdbWriter("GeoLite2-Country")
                .geoLite("81.2.69.0/24", "GB")
                .flat("2a02:2e0::/32", "DE")
                .write(database);
        router = new RouterHarness(
                Map.of("TRUSTED_PROXIES", "127.0.0.1/32, ::1", "GEOIP_DB_PATH", database.toString()),
                Clock.systemUTC());
        router.seed("smart", "https://acme.example/", null);
        router.awaitCached("smart");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
        RouterHarness.deleteRecursively(geoIpDirectory);
    }

    private static Record clickOf(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(302);
        return router.dsl()
                .select(
                        CLICK.COUNTRY,
                        CLICK.DEVICE,
                        CLICK.BROWSER,
                        CLICK.OS,
                        CLICK.REFERRER_DOMAIN,
                        CLICK.REFERER,
                        CLICK.IS_BOT,
                        CLICK.BOT_REASON,
                        CLICK.IP_HASH)
                .from(CLICK)
                .where(CLICK.ID.eq(RedirectTest.crefOf(response)))
                .fetchOne();
    }

    @Test
    void aPhoneClickFromAGeoIpAddressIsStoredWithEverythingItSays() throws Exception {
        Record click = clickOf(router.get(
                "/r/smart",
                "User-Agent",
                SAMSUNG,
                "X-Forwarded-For",
                "81.2.69.142",
                "Referer",
                "https://WWW.Blog.Example:8443/post?id=1"));
        assertThat(click.get(CLICK.COUNTRY)).isEqualTo("GB");
        assertThat(click.get(CLICK.DEVICE)).isEqualTo("phone");
        assertThat(click.get(CLICK.BROWSER)).isEqualTo("Samsung Internet");
        assertThat(click.get(CLICK.OS)).isEqualTo("Android");
        assertThat(click.get(CLICK.REFERRER_DOMAIN)).isEqualTo("blog.example");
        assertThat(click.get(CLICK.REFERER)).isEqualTo("https://WWW.Blog.Example:8443/post?id=1");
        assertThat(click.get(CLICK.IS_BOT)).isFalse();
        assertThat(click.get(CLICK.IP_HASH))
                .as("the address is hashed, never stored")
                .isNotNull();
        String id = RedirectTest.crefOf(router.get("/r/smart", "User-Agent", SAMSUNG, "X-Forwarded-For", "81.2.69.142"))
                .toString();
        String stored = String.valueOf(router.dsl().fetchValue("select click::text from click where id = ?::uuid", id));
        assertThat(stored).doesNotContain("81.2.69.142");
    }

    @Test
    void theTrustedCdnHeaderWinsOverGeoIpAndAnIpv6ClientIsLookedUp() throws Exception {
        Record cdn = clickOf(
                router.get("/r/smart", "User-Agent", SAMSUNG, "X-Forwarded-For", "81.2.69.142", "CF-IPCountry", "nl"));
        assertThat(cdn.get(CLICK.COUNTRY)).isEqualTo("NL");
        Record v6 = clickOf(router.get("/r/smart", "User-Agent", SAMSUNG, "X-Forwarded-For", "2a02:2e0:3fe:1001::1"));
        assertThat(v6.get(CLICK.COUNTRY)).isEqualTo("DE");
        Record unknown = clickOf(router.get("/r/smart", "User-Agent", SAMSUNG));
        assertThat(unknown.get(CLICK.COUNTRY)).as("127.0.0.1 is in no country").isNull();
        assertThat(unknown.get(CLICK.REFERRER_DOMAIN)).isNull();
    }

    @Test
    void aBotClickIsStoredWithDeviceBot() throws Exception {
        Record bot = clickOf(router.get(
                "/r/smart", "User-Agent", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"));
        assertThat(bot.get(CLICK.IS_BOT)).isTrue();
        assertThat(bot.get(CLICK.BOT_REASON)).isEqualTo("crawler:ahrefsbot");
        assertThat(bot.get(CLICK.DEVICE)).isEqualTo("bot");
    }

    /** make bench's capture scenario reads these to show the router did the lookups it measures. */
    @Test
    void metricsCountTheLookupsTheCachesMissed() throws Exception {
        double geoIpBefore = metric("clickledger_geoip_cache_misses_total{");
        double parsedBefore = metric("clickledger_user_agent_cache_misses_total{answer=\"parser\"");
        String agent =
                "Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0"
                        + " Chrome/122.0.0.0 Mobile Safari/537.36 metrics-" + System.nanoTime();
        // An address no other test of this class looks up: GeoIP remembers whole blocks (a /16, a
        // /24), so another test's 81.2.69.142 would already have answered 81.2.69.0/24.
        clickOf(router.get("/r/smart", "User-Agent", agent, "X-Forwarded-For", "198.51.100.17"));
        clickOf(router.get("/r/smart", "User-Agent", agent, "X-Forwarded-For", "198.51.100.17"));
        assertThat(metric("clickledger_geoip_cache_misses_total{"))
                .as("one tree walk; the repeat came from GeoIP's caches")
                .isEqualTo(geoIpBefore + 1);
        // The router parses on a thread of its own, after the first click's answer.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (metric("clickledger_user_agent_cache_misses_total{answer=\"parser\"") < parsedBefore + 1
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        clickOf(router.get("/r/smart", "User-Agent", agent, "X-Forwarded-For", "198.51.100.17"));
        assertThat(metric("clickledger_user_agent_cache_misses_total{answer=\"parser\""))
                .as("one parse; the repeats came from the verdict cache")
                .isEqualTo(parsedBefore + 1);
        assertThat(router.get("/metrics").body())
                .contains("clickledger_user_agent_cache_misses_total{answer=\"quick_rules\"");
    }

    private static double metric(String prefix) throws Exception {
        return router.get("/metrics")
                .body()
                .lines()
                .filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in /metrics"));
    }

    @Test
    void readyzSaysTheGeoIpDatabaseIsLoaded() throws Exception {
        HttpResponse<String> ready = router.get("/readyz");
        assertThat(ready.body()).contains("\"geoip\":\"loaded\"");
    }
}
