package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PROGRAM;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.common.net.Cidr;
import clickledger.db.setting.SettingsRepository;
import clickledger.router.click.IpHasher;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedirectTest {
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(
                Map.of("TRUSTED_PROXIES", "127.0.0.1/32, ::1", "COOKIE_DOMAIN", ".acme.example"),
                java.time.Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    @Test
    void redirectRecordsTheClickWithEveryField() throws Exception {
        RouterHarness.Seeded seeded = router.seed("ada", "https://acme.example/signup?src=aff", null);
        router.awaitCached("ada");

        HttpResponse<String> response = router.get(
                "/r/ada?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=hero&ref=tw",
                "User-Agent",
                BROWSER,
                "Referer",
                "https://blog.example/post",
                "X-Forwarded-For",
                "198.51.100.23",
                "X-Forwarded-Proto",
                "https",
                "CF-IPCountry",
                "de");

        assertThat(response.statusCode()).isEqualTo(302);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location)
                .matches("https://acme\\.example/signup\\?src=aff&utm_source=news&utm_medium=email&utm_campaign=spring"
                        + "&utm_term=shoes&utm_content=hero&ref=tw&cref=[0-7][0-9A-HJKMNP-TV-Z]{25}");
        String cref = location.substring(location.indexOf("cref=") + 5);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(response.headers().firstValue("Set-Cookie"))
                .contains("_cref=" + cref + "; Max-Age=2592000; Path=/; SameSite=Lax; Secure; Domain=.acme.example");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();

        UUID id = Ulid.parse(cref).orElseThrow();
        Record row = router.dsl()
                .selectFrom(CLICK)
                .where(CLICK.ID.eq(id).and(CLICK.TS.eq(OffsetDateTime.ofInstant(Ulid.instant(id), ZoneOffset.UTC))))
                .fetchOne();
        assertThat(row).as("the click is committed before the 302 leaves").isNotNull();
        assertThat(row.get(CLICK.LINK_ID)).isEqualTo(seeded.linkId());
        assertThat(row.get(CLICK.PROGRAM_ID)).isEqualTo(seeded.programId());
        assertThat(row.get(CLICK.PARTNER_ID)).isEqualTo(seeded.partnerId());
        assertThat(row.get(CLICK.USER_AGENT)).isEqualTo(BROWSER);
        assertThat(row.get(CLICK.REFERER)).isEqualTo("https://blog.example/post");
        assertThat(row.get(CLICK.LANDING_URL)).isEqualTo(location);
        assertThat(row.get(CLICK.COUNTRY)).isEqualTo("DE");
        assertThat(row.get(CLICK.UTM_SOURCE)).isEqualTo("news");
        assertThat(row.get(CLICK.UTM_MEDIUM)).isEqualTo("email");
        assertThat(row.get(CLICK.UTM_CAMPAIGN)).isEqualTo("spring");
        assertThat(row.get(CLICK.UTM_TERM)).isEqualTo("shoes");
        assertThat(row.get(CLICK.UTM_CONTENT)).isEqualTo("hero");
        assertThat(row.get(CLICK.IS_BOT)).isFalse();
        assertThat(row.get(CLICK.BOT_REASON)).isNull();
        assertThat(row.get(CLICK.FRAUD_FLAG)).isNull();
        assertThat(row.get(CLICK.DEVICE)).isEqualTo("desktop");
        assertThat(row.get(CLICK.BROWSER)).isEqualTo("Firefox");
        assertThat(row.get(CLICK.OS)).isEqualTo("Linux");
        assertThat(row.get(CLICK.REFERRER_DOMAIN)).isEqualTo("blog.example");
        String salt = new SettingsRepository(router.dsl()).getOrCreate(SettingsRepository.IP_HASH_SALT, () -> "unused");
        byte[] expectedHash =
                new IpHasher(salt).hash(Cidr.IpLiteral.parse("198.51.100.23").orElseThrow());
        assertThat(row.get(CLICK.IP_HASH))
                .as("salted hash of the forwarded client, never the raw IP")
                .isEqualTo(expectedHash);
    }

    @Test
    void forwardedForOnTwoHeaderLinesIsOneListReadFromTheRight() throws Exception {
        router.seed("two-lines", "https://acme.example/", null);
        router.awaitCached("two-lines");
        // The client writes its own line; the proxy (loopback, trusted here) adds the real address
        // as a second line, as HAProxy does.
        HttpResponse<String> response = router.get(
                "/r/two-lines",
                "User-Agent",
                BROWSER,
                "X-Forwarded-For",
                "6.6.6.6",
                "X-Forwarded-For",
                "198.51.100.24");
        Record row = router.dsl()
                .selectFrom(CLICK)
                .where(CLICK.ID.eq(crefOf(response)))
                .fetchOne();
        String salt = new SettingsRepository(router.dsl()).getOrCreate(SettingsRepository.IP_HASH_SALT, () -> "unused");
        assertThat(row.get(CLICK.IP_HASH))
                .isEqualTo(new IpHasher(salt)
                        .hash(Cidr.IpLiteral.parse("198.51.100.24").orElseThrow()));
    }

    @Test
    void aCrefSmuggledUnderAnEncodedOrUpperCaseNameNeverReachesTheDestination() throws Exception {
        router.seed("smuggle", "https://acme.example/signup?src=aff", null);
        router.awaitCached("smuggle");
        for (String smuggled :
                new String[] {"cr%65f=X", "%63ref=X", "%63%72%65%66=X", "CREF=X", "Cr%45F=X", "cref=X"}) {
            HttpResponse<String> response = router.get("/r/smuggle?" + smuggled + "&ref=tw", "User-Agent", BROWSER);
            assertThat(response.statusCode()).isEqualTo(302);
            String location = response.headers().firstValue("Location").orElseThrow();
            assertThat(location)
                    .as(smuggled)
                    .matches("https://acme\\.example/signup\\?src=aff&ref=tw&cref=[0-9A-Z]{26}");
            assertThat(crefOf(response).toString()).isNotEqualTo("X");
        }
    }

    @Test
    void linkDestinationOverridesProgramDestination() throws Exception {
        router.seed("own-dest", "https://acme.example/", "https://acme.example/pricing#annual");
        router.awaitCached("own-dest");
        HttpResponse<String> response = router.get("/r/own-dest", "User-Agent", BROWSER);
        assertThat(response.headers().firstValue("Location").orElseThrow())
                .matches("https://acme\\.example/pricing\\?cref=[0-9A-Z]{26}#annual");
    }

    @Test
    void unknownSlugGetsA404Page() throws Exception {
        HttpResponse<String> response = router.get("/r/no-such-link", "User-Agent", BROWSER);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(response.body()).contains("Link not found");
    }

    @Test
    void malformedSlugGets404NotAnError() throws Exception {
        for (String path :
                new String[] {"/r/", "/r/a.b", "/r/a%20b", "/r/" + "x".repeat(65), "/r/%C3%A9t%C3%A9", "/r/a/b"}) {
            assertThat(router.get(path, "User-Agent", BROWSER).statusCode())
                    .as(path)
                    .isEqualTo(404);
        }
    }

    @Test
    void pausingALinkChangesTheNextRedirectWithinOneSecond() throws Exception {
        RouterHarness.Seeded seeded = router.seed("pausable", "https://acme.example/home", "https://acme.example/deal");
        router.awaitCached("pausable");
        assertThat(router.get("/r/pausable", "User-Agent", BROWSER)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith("https://acme.example/deal?cref=");

        long changedAt = System.nanoTime();
        router.dsl()
                .update(LINK)
                .set(LINK.STATUS, "paused")
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        String location = awaitLocation("pausable", "https://acme.example/home?utm_source=x");
        long elapsedMillis = (System.nanoTime() - changedAt) / 1_000_000;
        assertThat(location).isEqualTo("https://acme.example/home?utm_source=x");
        assertThat(elapsedMillis)
                .as("a change reaches the router within one second")
                .isLessThan(1_000);
        assertInactiveClickRecorded(seeded, "pausable", "https://acme.example/home");

        router.dsl()
                .update(LINK)
                .set(LINK.STATUS, "active")
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        assertThat(awaitLocationStartingWith("pausable", "https://acme.example/deal?utm_source=x&cref="))
                .isNotNull();
    }

    @Test
    void revokedPartnerSendsVisitorsToTheProgramWithoutCref() throws Exception {
        RouterHarness.Seeded seeded = router.seed("revoked", "https://acme.example/home", "https://acme.example/deal");
        router.awaitCached("revoked");
        router.dsl()
                .update(PARTNER)
                .set(PARTNER.STATUS, "revoked")
                .where(PARTNER.ID.eq(seeded.partnerId()))
                .execute();
        assertThat(awaitLocation("revoked", "https://acme.example/home")).isEqualTo("https://acme.example/home");
        assertInactiveClickRecorded(seeded, "revoked", "https://acme.example/home");
    }

    /**
     * A link that does not pay still counts: one more click row, flagged {@code inactive} (never
     * billable, never a touch), whose landing URL is the answer's Location, which carries no cref,
     * and no {@code _cref} cookie.
     */
    private void assertInactiveClickRecorded(RouterHarness.Seeded seeded, String slug, String expectedLocation)
            throws Exception {
        long before = clickCount(seeded.linkId());
        HttpResponse<String> response = router.get("/r/" + slug + "?utm_source=mail", "User-Agent", BROWSER);
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains(expectedLocation + "?utm_source=mail");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(clickCount(seeded.linkId()))
                .as("the click is recorded before the 302 leaves")
                .isEqualTo(before + 1);
        Record row = router.dsl()
                .selectFrom(CLICK)
                .where(CLICK.LINK_ID.eq(seeded.linkId()).and(CLICK.UTM_SOURCE.eq("mail")))
                .fetchSingle();
        assertThat(row.get(CLICK.FRAUD_FLAG)).isEqualTo("inactive");
        assertThat(row.get(CLICK.IS_BOT)).isFalse();
        assertThat(row.get(CLICK.PARTNER_ID)).isEqualTo(seeded.partnerId());
        assertThat(row.get(CLICK.LANDING_URL)).isEqualTo(expectedLocation + "?utm_source=mail");
        assertThat(row.get(CLICK.UTM_SOURCE)).isEqualTo("mail");
    }

    @Test
    void endedProgramSendsVisitorsToTheProgramWithoutCref() throws Exception {
        RouterHarness.Seeded ended = router.seed("ended", "https://acme.example/home", "https://acme.example/deal");
        RouterHarness.Seeded past = router.seed("past-end", "https://acme.example/home2", null);
        router.awaitCached("ended");
        router.awaitCached("past-end");
        router.dsl()
                .update(PROGRAM)
                .set(PROGRAM.STATUS, "ended")
                .where(PROGRAM.ID.eq(ended.programId()))
                .execute();
        assertThat(awaitLocation("ended", "https://acme.example/home")).isEqualTo("https://acme.example/home");
        assertInactiveClickRecorded(ended, "ended", "https://acme.example/home");
        // An end date that has passed ends the program without any row changing afterwards.
        router.dsl()
                .update(PROGRAM)
                .set(PROGRAM.ENDS_AT, OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(1))
                .where(PROGRAM.ID.eq(past.programId()))
                .execute();
        Thread.sleep(1_200);
        assertThat(router.get("/r/past-end", "User-Agent", BROWSER).headers().firstValue("Location"))
                .contains("https://acme.example/home2");
    }

    @Test
    void newLinkIsServedWithoutARestart() throws Exception {
        router.seed("fresh", "https://acme.example/fresh", null);
        assertThat(awaitLocationStartingWith("fresh", "https://acme.example/fresh?cref="))
                .isNotNull();
    }

    @Test
    void userAgentAndRefererOfAnyLengthAreStoredCropped() throws Exception {
        router.seed("long-ua", "https://acme.example/", null);
        router.awaitCached("long-ua");
        String longAgent = "Mozilla/5.0 " + "x".repeat(9_000);
        HttpResponse<String> response = router.get(
                "/r/long-ua", "User-Agent", longAgent, "Referer", "https://r.example/?" + "q".repeat(12_000));
        assertThat(response.statusCode()).isEqualTo(302);
        UUID id = crefOf(response);
        Record row = router.dsl().selectFrom(CLICK).where(CLICK.ID.eq(id)).fetchOne();
        assertThat(row.get(CLICK.USER_AGENT)).hasSize(1_024).startsWith("Mozilla/5.0 x");
        assertThat(row.get(CLICK.REFERER)).hasSize(2_048);
    }

    @Test
    void forwardedHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
        try (RouterHarness untrusted = new RouterHarness()) {
            untrusted.seed("direct", "https://acme.example/", null);
            untrusted.awaitCached("direct");
            HttpResponse<String> response = untrusted.get(
                    "/r/direct",
                    "User-Agent",
                    BROWSER,
                    "X-Forwarded-For",
                    "198.51.100.23",
                    "CF-IPCountry",
                    "DE",
                    "X-Forwarded-Proto",
                    "https");
            Record row = untrusted
                    .dsl()
                    .selectFrom(CLICK)
                    .where(CLICK.ID.eq(crefOf(response)))
                    .fetchOne();
            assertThat(row.get(CLICK.COUNTRY)).isNull();
            String salt =
                    new SettingsRepository(untrusted.dsl()).getOrCreate(SettingsRepository.IP_HASH_SALT, () -> "x");
            assertThat(row.get(CLICK.IP_HASH))
                    .isEqualTo(new IpHasher(salt)
                            .hash(Cidr.IpLiteral.parse("127.0.0.1").orElseThrow()));
            assertThat(response.headers().firstValue("Set-Cookie").orElseThrow())
                    .doesNotContain("Secure");
        }
    }

    static UUID crefOf(HttpResponse<String> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        int at = location.indexOf("cref=");
        return Ulid.parse(location.substring(at + 5, at + 31)).orElseThrow();
    }

    private long clickCount(UUID linkId) {
        return router.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(linkId));
    }

    private String awaitLocation(String slug, String expected) throws Exception {
        String query = expected.contains("?") ? expected.substring(expected.indexOf('?')) : "";
        long deadline = System.nanoTime() + 2_000_000_000L;
        String location = null;
        while (System.nanoTime() < deadline) {
            location = router.get("/r/" + slug + query, "User-Agent", BROWSER)
                    .headers()
                    .firstValue("Location")
                    .orElse(null);
            if (expected.equals(location)) {
                return location;
            }
            Thread.sleep(10);
        }
        return location;
    }

    private String awaitLocationStartingWith(String slug, String prefix) throws Exception {
        String query = prefix.contains("utm_source=x") ? "?utm_source=x" : "";
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = router.get("/r/" + slug + query, "User-Agent", BROWSER);
            String location = response.headers().firstValue("Location").orElse("");
            if (location.startsWith(prefix)) {
                return location;
            }
            Thread.sleep(10);
        }
        return null;
    }
}
