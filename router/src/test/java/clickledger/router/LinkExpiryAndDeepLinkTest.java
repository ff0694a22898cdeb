package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PROGRAM;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 on a real router over a real PostgreSQL: expiry decided from the cached link with the
 * router's clock, expired URLs, and deep links ({@code ?to=}) that never leave the program's hosts.
 */
class LinkExpiryAndDeepLinkTest {
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static final String CREF = "[0-7][0-9A-HJKMNP-TV-Z]{25}";
    private static final MovableClock CLOCK = new MovableClock();
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(Map.of(), CLOCK);
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    @AfterEach
    void resetClock() {
        CLOCK.reset();
    }

    @Test
    void anExpiredLinkSendsVisitorsToTheProgramWithoutACrefAndRecordsAFlaggedClick() throws Exception {
        RouterHarness.Seeded seeded = router.seed("expiring", "https://acme.example/home", "https://acme.example/deal");
        router.dsl()
                .update(LINK)
                .set(LINK.EXPIRES_AT, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1))
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        awaitCachedExpiry("expiring");
        assertThat(router.get("/r/expiring", "User-Agent", BROWSER).headers().firstValue("Location"))
                .hasValueSatisfying(
                        location -> assertThat(location).matches("https://acme\\.example/deal\\?cref=" + CREF));

        // No row changes: only the router's clock passes the expiry, so the answer comes from the cache.
        CLOCK.moveBy(Duration.ofHours(2));
        long before = clickCount(seeded.linkId());
        HttpResponse<String> response = router.get("/r/expiring?utm_source=news", "User-Agent", BROWSER);
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains("https://acme.example/home?utm_source=news");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        awaitExpiredClick(seeded.linkId(), before);
        assertThat(metricLines("clickledger_redirects_total{")).anyMatch(line -> line.contains("outcome=\"expired\""));

        CLOCK.reset();
        assertThat(router.get("/r/expiring", "User-Agent", BROWSER).headers().firstValue("Location"))
                .hasValueSatisfying(
                        location -> assertThat(location).matches("https://acme\\.example/deal\\?cref=" + CREF));
    }

    @Test
    void anExpiredLinkWithAnExpiredUrlSendsVisitorsThere() throws Exception {
        RouterHarness.Seeded seeded = router.seed("expired-url", "https://acme.example/home", null);
        router.awaitCached("expired-url");
        router.dsl()
                .update(LINK)
                .set(LINK.EXPIRES_AT, OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1))
                .set(LINK.EXPIRED_URL, "https://acme.example/offer-ended?x=1")
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        String location = awaitLocation("expired-url", "?ref=tw", l -> l.contains("offer-ended"));
        assertThat(location).isEqualTo("https://acme.example/offer-ended?x=1&ref=tw");
        long before = clickCount(seeded.linkId());
        router.get("/r/expired-url", "User-Agent", BROWSER);
        awaitExpiredClick(seeded.linkId(), before);

        // Lifting the expiry brings the link back.
        router.dsl()
                .update(LINK)
                .setNull(LINK.EXPIRES_AT)
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        awaitLocation("expired-url", "", l -> l.startsWith("https://acme.example/home?cref="));
    }

    @Test
    void aDeepLinkPathLandsOnTheProgramsHostWithTheCrefAndIsRecorded() throws Exception {
        RouterHarness.Seeded seeded =
                router.seed("deep", "https://acme.example/home?src=aff", "https://acme.example/partner/ada");
        router.awaitCached("deep");
        HttpResponse<String> response =
                router.get("/r/deep?to=%2Fpricing%3Fplan%3Dpro&utm_source=news", "User-Agent", BROWSER);
        assertThat(response.statusCode()).isEqualTo(302);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("https://acme\\.example/pricing\\?plan=pro&utm_source=news&cref=" + CREF);
        assertThat(response.headers().firstValue("Set-Cookie")).isPresent();
        UUID clickId =
                Ulid.parse(location.substring(location.indexOf("cref=") + 5)).orElseThrow();
        String landing = router.dsl()
                .select(CLICK.LANDING_URL)
                .from(CLICK)
                .where(CLICK.ID.eq(clickId))
                .and(CLICK.LINK_ID.eq(seeded.linkId()))
                .fetchOne(CLICK.LANDING_URL);
        assertThat(landing).isEqualTo(location);
        assertThat(router.get("/r/deep?to=/faq", "User-Agent", BROWSER)
                        .headers()
                        .firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).startsWith("https://acme.example/faq?cref="));
    }

    @Test
    void aDeepLinkMayGoToTheProgramsAllowedHostsOnceTheAdminListsThem() throws Exception {
        RouterHarness.Seeded seeded = router.seed("allowed", "https://acme.example/home", null);
        router.awaitCached("allowed");
        String query = "?to=https%3A%2F%2Fblog.acme.example%2Fpost";
        assertThat(router.get("/r/allowed" + query, "User-Agent", BROWSER)
                        .headers()
                        .firstValue("Location"))
                .as("not yet allowed: the link's own destination")
                .hasValueSatisfying(l -> assertThat(l).startsWith("https://acme.example/home?cref="));
        router.dsl()
                .update(PROGRAM)
                .set(PROGRAM.ALLOWED_HOSTS, "blog.acme.example shop.acme.example")
                .where(PROGRAM.ID.eq(seeded.programId()))
                .execute();
        String location = awaitLocation("allowed", query, l -> l.startsWith("https://blog.acme.example/"));
        assertThat(location).matches("https://blog\\.acme\\.example/post\\?cref=" + CREF);
    }

    @Test
    void hostileDeepLinksGoToTheLinksDestinationNeverElsewhere() throws Exception {
        router.seed("hostile", "https://acme.example/home", "https://acme.example/deal?p=1");
        router.awaitCached("hostile");
        List<String> values = List.of(
                "//evil.example",
                "%2F%2Fevil.example",
                "%2F%5Cevil.example",
                "https:evil.example",
                "https:%2F%2Fevil.example",
                "https://evil.example",
                "https%3A%2F%2Fevil.example",
                "%252F%252Fevil.example",
                "%5C%5Cevil",
                "https%3A%2F%2Facme.example%40evil.example",
                "https://acme.example@evil.example/",
                "%2F%09%2Fevil.example",
                "%2F%0D%0ASet-Cookie:%20x=1",
                "https%3A%2F%2Fevil%E3%80%82example",
                "https%3A%2F%2Facme.example%EF%BC%8Eevil.example",
                "javascript:alert(1)",
                "/" + "a".repeat(3_000));
        for (String value : values) {
            HttpResponse<String> response = router.get("/r/hostile?to=" + value, "User-Agent", BROWSER);
            assertThat(response.statusCode()).as(value).isEqualTo(302);
            String location = response.headers().firstValue("Location").orElseThrow();
            assertThat(location)
                    .as(value)
                    .matches("https://acme\\.example/deal\\?p=1&cref=" + CREF)
                    .doesNotContain("evil");
            assertThat(response.headers().map()).as(value).doesNotContainKey("x");
        }
        assertThat(metricLines("clickledger_deep_links_total{"))
                .anyMatch(line -> line.contains("outcome=\"refused\"") && !line.endsWith(" 0.0"));
    }

    private static List<String> metricLines(String prefix) {
        return router.registry
                .scrape()
                .lines()
                .filter(line -> line.startsWith(prefix))
                .toList();
    }

    /**
     * A click after the expiry is recorded like a paused link's (issue 15): one more row for the
     * link, flagged {@code expired}, so it is never billable and never a touch.
     */
    private static void awaitExpiredClick(UUID linkId, long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (clickCount(linkId) == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(clickCount(linkId)).as("one click recorded after the expiry").isEqualTo(before + 1);
        assertThat(router.dsl()
                        .select(CLICK.FRAUD_FLAG)
                        .from(CLICK)
                        .where(CLICK.LINK_ID.eq(linkId))
                        .orderBy(CLICK.TS.desc())
                        .limit(1)
                        .fetchOne(CLICK.FRAUD_FLAG))
                .isEqualTo("expired");
    }

    private static long clickCount(UUID linkId) {
        return router.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(linkId));
    }

    private static void awaitCachedExpiry(String slug) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            var cached = router.app.cache().get(slug);
            if (cached != null && cached.expiresAtMillis() != Long.MAX_VALUE) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the expiry of " + slug + " never reached the router's cache");
    }

    // Asks until the Location passes (changes reach the router by NOTIFY within a second).
    private static String awaitLocation(String slug, String query, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        String location = null;
        while (System.nanoTime() < deadline) {
            if (router.app.cache().get(slug) != null) {
                location = router.get("/r/" + slug + query, "User-Agent", BROWSER)
                        .headers()
                        .firstValue("Location")
                        .orElse(null);
                if (location != null && wanted.test(location)) {
                    return location;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("/r/" + slug + query + " never redirected as expected; last Location: " + location);
    }
}
