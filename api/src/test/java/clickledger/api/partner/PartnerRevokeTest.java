package clickledger.api.partner;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.COMMISSION;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.onboarding.Onboard;
import clickledger.api.person.People;
import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.router.RouterApp;
import clickledger.router.RouterConfig;
import clickledger.router.redirect.RedirectHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Record;
import org.junit.jupiter.api.Test;

/**
 * Revoking a partner takes everything from it at once: every partner key and every session of its
 * people stop working on the next request, its pending invitations are withdrawn, and its links
 * stop paying: the real router, on the same database, keeps sending visitors to the program and
 * recording their clicks, but without a cref, and no commission can attach to those clicks.
 */
class PartnerRevokeTest {
    private static final String BROWSER =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

    private static String partnerKey(TestApi api, String partnerId) {
        return api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"p\",\"partnerId\":\"%s\"}".formatted(partnerId))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    @Test
    void everyKeyAndSessionOfTheRevokedPartnerStopsAtOnceAndStaysStoppedAfterReactivation() {
        try (TestApi api =
                TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false", "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000"))) {
            String program = api.createProgram();
            Onboard.SignedInPartner pat = Onboard.partner(api, program);
            String secondSession = People.token(api, pat.email(), People.PASSWORD);
            List<String> keys = List.of(partnerKey(api, pat.partnerId()), partnerKey(api, pat.partnerId()));
            Onboard.SignedInPartner other = Onboard.partner(api, program);
            String otherKey = partnerKey(api, other.partnerId());
            List<String> credentials = List.of(pat.session(), secondSession, keys.get(0), keys.get(1));
            for (String credential : credentials) {
                api.send("GET", "/v1/me", null, credential).expect(200);
            }
            // A partner invited but not signed in yet: revoking withdraws its link.
            String invitedEmail = TestApi.unique("invited") + "@example.com";
            JsonNode invited =
                    Onboard.invite(api, invitedEmail, program).expect(201).json();
            JsonNode revoked = api.post("/v1/partners/" + pat.partnerId() + "/revoke", null)
                    .expect(200)
                    .json();

            assertThat(revoked.get("status").asText()).isEqualTo("revoked");
            for (String credential : credentials) {
                assertThat(api.send("GET", "/v1/me", null, credential).status())
                        .as("a credential of the revoked partner")
                        .isEqualTo(401);
            }
            TestApi.Response signIn = People.signIn(api, pat.email(), People.PASSWORD);
            assertThat(signIn.status()).isEqualTo(403);
            assertThat(signIn.json().get("code").asText()).isEqualTo("partner_revoked");
            // A wrong password learns nothing of it.
            assertThat(People.signIn(api, pat.email(), "not the password at all")
                            .status())
                    .isEqualTo(401);
            JsonNode audit = api.get("/v1/audit-log?action=partner.revoked&entityId=" + pat.partnerId())
                    .expect(200)
                    .json()
                    .at("/items/0");
            assertThat(audit.toString()).contains("apiKeysRevoked").contains("sessionsEnded");

            api.post("/v1/partners/" + invited.at("/partner/id").asText() + "/revoke", null)
                    .expect(200);
            String token = invited.at("/invitation/token").asText();
            assertThat(api.send("GET", "/v1/partner-invitations/" + token, null, null)
                            .expect(404)
                            .json()
                            .get("detail")
                            .asText())
                    .contains("withdrawn");
            Onboard.accept(api, token, People.PASSWORD).expect(404);
            // Another partner is untouched.
            api.send("GET", "/v1/me", null, other.session()).expect(200);
            api.send("GET", "/v1/me", null, otherKey).expect(200);

            // Reactivating the partner does not bring its keys or sessions back.
            api.patch("/v1/partners/" + pat.partnerId(), "{\"status\":\"active\"}")
                    .expect(200);
            for (String credential : credentials) {
                assertThat(api.send("GET", "/v1/me", null, credential).status()).isEqualTo(401);
            }
        }
    }

    @Test
    void theRevokedPartnersLinksStillRedirectAndRecordClicksThatCanNeverEarn() throws Exception {
        Path spool = Files.createTempDirectory("clickledger-spool-");
        try (TestApi api = TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false"))) {
            Map<String, String> routerEnv = new HashMap<>();
            routerEnv.put("DATABASE_URL", api.environment().get("DATABASE_URL"));
            // Through PgBouncer (CI's second pass) the router needs the direct URL for LISTEN, as the api.
            String direct = api.environment().get("DATABASE_URL_DIRECT");
            if (direct != null) {
                routerEnv.put("DATABASE_URL_DIRECT", direct);
            }
            routerEnv.put("ROUTER_PORT", "0");
            routerEnv.put("CLICK_SPOOL_DIR", spool.toString());
            routerEnv.put("LINK_RELOAD_SECONDS", "60");
            RouterConfig config = RouterConfig.fromEnv(routerEnv);
            PrometheusMeterRegistry registry = Metrics.newRegistry("router");
            Database database = Database.connect("router", config.database(), registry, config.poolLimits());
            try (RouterApp router = RouterApp.create(config, database, Clock.systemUTC(), registry)
                    .start()) {
                String program = api.post(
                                "/v1/programs",
                                """
                                {"slug":"%s","name":"Paying","destinationUrl":"https://shop.example.com/","currency":"USD",
                                 "attributionModel":"last_click","commissionRules":[{"kind":"percent","amount":"10"}]}"""
                                        .formatted(TestApi.unique("paying-")))
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();
                String partner = api.createPartner();
                String slug = TestApi.unique("pays-");
                String linkId = api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}"
                                        .formatted(program, partner, slug))
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();
                HttpClient http = HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
                HttpRequest visit = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + router.port() + "/r/" + slug))
                        .header("User-Agent", BROWSER)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build();
                String paying = awaitLocation(http, visit, location -> location.contains("cref="));
                assertThat(paying).startsWith("https://shop.example.com/");
                long clicks = clicks(api, linkId);
                assertThat(clicks).isEqualTo(1);
                // While active, the chain pays: the click's cref, identified, earns a commission.
                String payingCref = paying.substring(paying.indexOf("cref=") + 5);
                assertThat(convert(api, program, payingCref, "before")).hasSize(1);

                api.post("/v1/partners/" + partner + "/revoke", null).expect(200);

                // Within a second (LISTEN/NOTIFY), the visitor still arrives, without a cref.
                String unpaid = awaitLocation(http, visit, location -> !location.contains("cref="));
                assertThat(unpaid).isEqualTo("https://shop.example.com/");
                UUID link = Ulid.parse(linkId).orElseThrow();
                clicks = clicks(api, linkId);
                long flagged =
                        api.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(link).and(CLICK.FRAUD_FLAG.isNotNull()));
                HttpResponse<String> response = http.send(visit, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(302);
                assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
                assertThat(response.headers().firstValue("Location")).contains("https://shop.example.com/");
                // The click is still recorded (the partner's and the admin's click counts go on),
                // flagged so that it is never billable.
                assertThat(clicks(api, linkId)).isEqualTo(clicks + 1);
                assertThat(api.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(link).and(CLICK.FRAUD_FLAG.isNotNull())))
                        .as("the new click is the flagged one")
                        .isEqualTo(flagged + 1);
                Record click = api.dsl()
                        .selectFrom(CLICK)
                        .where(CLICK.LINK_ID.eq(link).and(CLICK.FRAUD_FLAG.eq(RedirectHandler.INACTIVE)))
                        .orderBy(CLICK.TS.desc())
                        .limit(1)
                        .fetchSingle();
                assertThat(click.get(CLICK.PARTNER_ID))
                        .isEqualTo(Ulid.parse(partner).orElseThrow());
                assertThat(click.get(CLICK.LANDING_URL)).isEqualTo("https://shop.example.com/");
                // No commission can attach to it: not even with its id guessed, and not after the
                // partner is reactivated (its links pay again from then on, this click never).
                String unpaidCref = Ulid.encode(click.get(CLICK.ID));
                assertThat(convert(api, program, unpaidCref, "revoked")).isEmpty();
                api.patch("/v1/partners/" + partner, "{\"status\":\"active\"}").expect(200);
                assertThat(convert(api, program, unpaidCref, "reactivated")).isEmpty();
                assertThat(api.dsl()
                                .fetchCount(
                                        COMMISSION,
                                        COMMISSION.PROGRAM_ID.eq(
                                                Ulid.parse(program).orElseThrow())))
                        .isEqualTo(1);
            } finally {
                database.close();
            }
        }
    }

    /** A user identified with {@code cref}, then a purchase of 49.00: the commissions it earned. */
    private static JsonNode convert(TestApi api, String program, String cref, String user) {
        // The router stamps clicks with the wall clock: the api's conversion follows it.
        api.clock().set(Instant.now());
        api.post("/v1/identify?programId=" + program, "{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, user))
                .expect(201);
        return api.post(
                        "/v1/events",
                        "{\"programId\":\"%s\",\"eventId\":\"%s\",\"userId\":\"%s\",\"type\":\"purchase\",\"value\":\"49.00\"}"
                                .formatted(program, TestApi.unique("order-"), user))
                .expect(201)
                .json()
                .get("commissions");
    }

    private static long clicks(TestApi api, String linkId) {
        return api.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(Ulid.parse(linkId).orElseThrow()));
    }

    private static String awaitLocation(HttpClient http, HttpRequest visit, java.util.function.Predicate<String> wanted)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String location = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(visit, HttpResponse.BodyHandlers.ofString());
            location = response.headers().firstValue("Location").orElse("");
            if (response.statusCode() == 302 && wanted.test(location)) {
                return location;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the router never answered as expected; last Location: " + location);
    }
}
