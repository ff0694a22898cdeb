package clickledger.api.link;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.CLICK_DAILY;
import static clickledger.db.jooq.Tables.CLICK_LATE_DAY;
import static clickledger.db.jooq.Tables.CLICK_MONTHLY;
import static clickledger.db.jooq.Tables.CLICK_ROLLUP_STATE;
import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.LINK_TAG;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.api.onboarding.Onboard;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 19's link management over HTTP: tags, expiry, archive, delete, and the program's deep-link hosts. */
class LinkManagementTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode create(String body) {
        return api.post("/v1/links", body).expect(201).json();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    private static List<String> slugs(String query) {
        List<String> out = new ArrayList<>();
        api.get("/v1/links?" + query)
                .expect(200)
                .json()
                .get("items")
                .forEach(item -> out.add(item.get("slug").asText()));
        return out;
    }

    private static UUID uuid(String id) {
        return Ulid.parse(id).orElseThrow();
    }

    @Test
    void tagsAreNormalisedMergedSortedAndShownEverywhere() {
        String program = api.createProgram();
        String partner = api.createPartner();
        JsonNode link = create(
                """
                {"programId":"%s","partnerId":"%s","tags":["  Spring   Sale ","spring sale","NEWSletter","ＶＩＰ"]}"""
                        .formatted(program, partner));

        assertThat(texts(link.get("tags"))).containsExactly("newsletter", "spring sale", "vip");
        assertThat(link.get("archived").asBoolean()).isFalse();
        assertThat(link.get("expiresAt").isNull()).isTrue();
        assertThat(link.get("expiredUrl").isNull()).isTrue();
        assertThat(api.get("/v1/links/" + link.get("id").asText()).expect(200).json())
                .isEqualTo(link);

        JsonNode patched = api.patch("/v1/links/" + link.get("id").asText(), "{\"tags\":[\"Launch\",\"vip\"]}")
                .expect(200)
                .json();
        assertThat(texts(patched.get("tags"))).containsExactly("launch", "vip");
        assertThat(api.dsl()
                        .select(LINK_TAG.TAG)
                        .from(LINK_TAG)
                        .where(LINK_TAG.LINK_ID.eq(uuid(link.get("id").asText())))
                        .orderBy(LINK_TAG.TAG)
                        .fetch(LINK_TAG.TAG))
                .containsExactly("launch", "vip");
        assertThat(texts(api.patch("/v1/links/" + link.get("id").asText(), "{\"tags\":null}")
                        .expect(200)
                        .json()
                        .get("tags")))
                .isEmpty();
    }

    @Test
    void badTagsAre400NamingTheTagAndStoreNothing() {
        String program = api.createProgram();
        String partner = api.createPartner();
        String tooMany = "[" + String.join(",", java.util.Collections.nCopies(11, "\"t%d\"")) + "]";
        Object[] numbers = new Object[11];
        for (int i = 0; i < 11; i++) {
            numbers[i] = i;
        }
        String eleven = tooMany.formatted(numbers);
        assertThat(api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"tags\":%s}"
                                        .formatted(program, partner, eleven))
                        .expect(400)
                        .errorFields())
                .containsExactly("tags");
        assertThat(api.post(
                                "/v1/links",
                                """
                                {"programId":"%s","partnerId":"%s","tags":["ok","%s","a,b","   ","x\\u0000y","zero\\u200bwidth"]}"""
                                        .formatted(program, partner, "x".repeat(41)))
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder("tags[1]", "tags[2]", "tags[3]", "tags[4]", "tags[5]");
        assertThat(api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"tags\":\"vip\"}"
                                        .formatted(program, partner))
                        .expect(400)
                        .errorFields())
                .containsExactly("tags");
        assertThat(api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"tags\":[\"%s\"]}"
                                        .formatted(program, partner, "y".repeat(100_000)))
                        .status())
                .isIn(400, 413);
        assertThat(api.dsl().fetchCount(LINK, LINK.PROGRAM_ID.eq(uuid(program))))
                .isZero();
    }

    @Test
    void listsFilterByTagAndHideArchivedLinksUnlessAsked() {
        String program = api.createProgram();
        String partner = api.createPartner();
        String base = "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\",\"tags\":%s}";
        String tagged = TestApi.unique("tagged-");
        String other = TestApi.unique("other-");
        String archived = TestApi.unique("archived-");
        create(base.formatted(program, partner, tagged, "[\"Summer\"]"));
        create(base.formatted(program, partner, other, "[\"winter\"]"));
        String archivedId = create(base.formatted(program, partner, archived, "[\"summer\"]"))
                .get("id")
                .asText();

        JsonNode done = api.post("/v1/links/" + archivedId + "/archive", null)
                .expect(200)
                .json();
        assertThat(done.get("archived").asBoolean()).isTrue();
        assertThat(api.post("/v1/links/" + archivedId + "/archive", null)
                        .expect(200)
                        .json())
                .as("idempotent")
                .isEqualTo(done);

        assertThat(slugs("programId=" + program)).containsExactlyInAnyOrder(tagged, other);
        assertThat(slugs("programId=" + program + "&tag=SUMMER")).containsExactly(tagged);
        assertThat(slugs("programId=" + program + "&tag=summer&archived=true"))
                .containsExactlyInAnyOrder(tagged, archived);
        assertThat(slugs("programId=" + program + "&archived=true")).containsExactlyInAnyOrder(tagged, other, archived);
        assertThat(slugs("tag=summer&partnerId=" + partner)).containsExactly(tagged);
        assertThat(slugs("ids=" + archivedId)).as("asked for by id").containsExactly(archived);
        assertThat(api.get("/v1/links/" + archivedId)
                        .expect(200)
                        .json()
                        .get("archived")
                        .asBoolean())
                .isTrue();
        assertThat(api.get("/v1/links?archived=maybe&tag=a,b").expect(400).errorFields())
                .containsExactlyInAnyOrder("archived", "tag");

        api.post("/v1/links/" + archivedId + "/unarchive", null).expect(200);
        assertThat(slugs("programId=" + program + "&tag=summer")).containsExactlyInAnyOrder(tagged, archived);
        api.patch("/v1/links/" + archivedId, "{\"archived\":true}").expect(200);
        assertThat(slugs("programId=" + program + "&tag=summer")).containsExactly(tagged);
        assertThat(api.patch("/v1/links/" + archivedId, "{\"archived\":null}")
                        .expect(400)
                        .errorFields())
                .containsExactly("archived");
        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTION)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ENTITY.eq("link"))
                        .and(AUDIT_LOG.ENTITY_ID.eq(archivedId))
                        .orderBy(AUDIT_LOG.ID)
                        .fetch(AUDIT_LOG.ACTION))
                .containsExactly("link.created", "link.archived", "link.unarchived", "link.archived");
    }

    @Test
    void expiryAndExpiredUrlAreSetCheckedAndLifted() {
        String program = api.createProgram();
        String partner = api.createPartner();
        Instant later = TestApi.START.plus(Duration.ofDays(30));
        JsonNode link = create(
                """
                {"programId":"%s","partnerId":"%s","expiresAt":"%s","expiredUrl":"https://shop.example.com/ended"}"""
                        .formatted(program, partner, later.atOffset(ZoneOffset.ofHours(2))));
        assertThat(Instant.parse(link.get("expiresAt").asText())).isEqualTo(later);
        assertThat(link.get("expiredUrl").asText()).isEqualTo("https://shop.example.com/ended");
        UUID id = uuid(link.get("id").asText());
        assertThat(api.dsl()
                        .select(LINK.EXPIRES_AT)
                        .from(LINK)
                        .where(LINK.ID.eq(id))
                        .fetchOne(LINK.EXPIRES_AT)
                        .toInstant())
                .isEqualTo(later);

        assertThat(api.post(
                                "/v1/links",
                                """
                                {"programId":"%s","partnerId":"%s","expiresAt":"2020-01-01T00:00:00Z","expiredUrl":"javascript:alert(1)"}"""
                                        .formatted(program, partner))
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder("expiresAt", "expiredUrl");
        assertThat(api.post(
                                "/v1/links",
                                """
                                {"programId":"%s","partnerId":"%s","expiresAt":"tomorrow","expiredUrl":"/relative"}"""
                                        .formatted(program, partner))
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder("expiresAt", "expiredUrl");
        assertThat(api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"expiresAt\":1893456000}"
                                        .formatted(program, partner))
                        .expect(400)
                        .errorFields())
                .containsExactly("expiresAt");

        // A time in the past on a PATCH expires the link now; null lifts the expiry.
        JsonNode expired = api.patch("/v1/links/" + link.get("id").asText(), "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}")
                .expect(200)
                .json();
        assertThat(expired.get("expiresAt").asText()).isEqualTo("2020-01-01T00:00:00Z");
        JsonNode lifted = api.patch("/v1/links/" + link.get("id").asText(), "{\"expiresAt\":null,\"expiredUrl\":null}")
                .expect(200)
                .json();
        assertThat(lifted.get("expiresAt").isNull()).isTrue();
        assertThat(lifted.get("expiredUrl").isNull()).isTrue();
        assertThat(api.patch("/v1/links/" + link.get("id").asText(), "{\"expiredUrl\":\"ftp://x.example/\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("expiredUrl");
    }

    @Test
    void aLinkWithoutClicksIsDeletedAndAudited() {
        String program = api.createProgram();
        String partner = api.createPartner();
        JsonNode link =
                create("{\"programId\":\"%s\",\"partnerId\":\"%s\",\"tags\":[\"gone\"]}".formatted(program, partner));
        String id = link.get("id").asText();

        api.send("DELETE", "/v1/links/" + id, null, TestApi.ADMIN_KEY).expect(204);

        api.get("/v1/links/" + id).expect(404);
        assertThat(api.dsl().fetchCount(LINK_TAG, LINK_TAG.LINK_ID.eq(uuid(id))))
                .isZero();
        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTION)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ENTITY_ID.eq(id))
                        .orderBy(AUDIT_LOG.ID)
                        .fetch(AUDIT_LOG.ACTION))
                .containsExactly("link.created", "link.deleted");
        api.send("DELETE", "/v1/links/" + id, null, TestApi.ADMIN_KEY).expect(404);
    }

    @Test
    void aLinkWithClicksIsNeverDeletedWhereverItsClicksAreCounted() {
        String program = api.createProgram();
        String partner = api.createPartner();
        Ledger ledger = new Ledger(api);

        // A click not yet rolled up.
        String live = create("{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, partner))
                .get("id")
                .asText();
        ledger.click(program, new Ledger.Partner(partner, live), api.clock().instant());
        assertConflict(live);

        // Clicks only in the rollups, as ClickRollup writes them (their partition detached on retention, say).
        String rolled = create("{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, partner))
                .get("id")
                .asText();
        LocalDate day = LocalDate.ofInstant(api.clock().instant(), ZoneOffset.UTC);
        api.dsl()
                .insertInto(CLICK_DAILY)
                .set(CLICK_DAILY.DAY, day)
                .set(CLICK_DAILY.LINK_ID, uuid(rolled))
                .set(CLICK_DAILY.PROGRAM_ID, uuid(program))
                .set(CLICK_DAILY.PARTNER_ID, uuid(partner))
                .set(CLICK_DAILY.CLICKS, 1L)
                .set(CLICK_DAILY.BILLABLE, 1L)
                .set(CLICK_DAILY.VISITORS, 1L)
                .execute();
        api.dsl()
                .insertInto(CLICK_MONTHLY)
                .set(CLICK_MONTHLY.MONTH, day.withDayOfMonth(1))
                .set(CLICK_MONTHLY.LINK_ID, uuid(rolled))
                .set(CLICK_MONTHLY.PROGRAM_ID, uuid(program))
                .set(CLICK_MONTHLY.PARTNER_ID, uuid(partner))
                .set(CLICK_MONTHLY.CLICKS, 1L)
                .set(CLICK_MONTHLY.BILLABLE, 1L)
                .set(CLICK_MONTHLY.VISITORS, 1L)
                .execute();
        assertConflict(rolled);

        // A late click (a spool replayed after an outage) behind the watermark, its day noted.
        String late = create("{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, partner))
                .get("id")
                .asText();
        Instant clickedAt = api.clock().instant();
        ledger.click(program, new Ledger.Partner(partner, late), clickedAt);
        boolean hadWatermark = api.dsl().fetchCount(CLICK_ROLLUP_STATE) > 0;
        java.time.OffsetDateTime previous = hadWatermark
                ? api.dsl()
                        .select(CLICK_ROLLUP_STATE.WATERMARK)
                        .from(CLICK_ROLLUP_STATE)
                        .fetchOne(CLICK_ROLLUP_STATE.WATERMARK)
                : null;
        try {
            api.dsl()
                    .insertInto(CLICK_ROLLUP_STATE)
                    .set(
                            CLICK_ROLLUP_STATE.WATERMARK,
                            clickedAt.plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC))
                    .onConflict(CLICK_ROLLUP_STATE.ID)
                    .doUpdate()
                    .set(
                            CLICK_ROLLUP_STATE.WATERMARK,
                            clickedAt.plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC))
                    .execute();
            api.dsl()
                    .insertInto(CLICK_LATE_DAY)
                    .set(CLICK_LATE_DAY.DAY, LocalDate.ofInstant(clickedAt, ZoneOffset.UTC))
                    .execute();
            assertConflict(late);
        } finally {
            if (hadWatermark) {
                api.dsl()
                        .update(CLICK_ROLLUP_STATE)
                        .set(CLICK_ROLLUP_STATE.WATERMARK, previous)
                        .execute();
            } else {
                api.dsl().deleteFrom(CLICK_ROLLUP_STATE).execute();
            }
        }
        assertThat(api.dsl().fetchCount(CLICK, CLICK.PROGRAM_ID.eq(uuid(program))))
                .isEqualTo(2);
    }

    private static void assertConflict(String linkId) {
        TestApi.Response response = api.send("DELETE", "/v1/links/" + linkId, null, TestApi.ADMIN_KEY);
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("code").asText()).isEqualTo("link_has_clicks");
        api.get("/v1/links/" + linkId).expect(200);
    }

    @Test
    void statsFilterByTagAcrossClicksConversionsAndCommissions() {
        Ledger ledger = new Ledger(api);
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner summer = ledger.partner(program);
        Ledger.Partner winter = ledger.partner(program);
        Ledger.Partner both = ledger.partner(program);
        api.patch("/v1/links/" + summer.linkId(), "{\"tags\":[\"summer\"]}").expect(200);
        api.patch("/v1/links/" + winter.linkId(), "{\"tags\":[\"winter\"]}").expect(200);
        api.patch("/v1/links/" + both.linkId(), "{\"tags\":[\"summer\",\"winter\"]}")
                .expect(200);
        Instant now = api.clock().instant();
        String cref = ledger.click(program, summer, now);
        ledger.click(program, summer, now.plusMillis(1));
        ledger.click(program, winter, now.plusMillis(2));
        ledger.click(program, both, now.plusMillis(3));
        assertThat(ledger.identify(cref, "buyer-1").status()).isIn(200, 201);
        ledger.event(program, "order-1", "buyer-1", "50.00", now.plusSeconds(30))
                .expect(201);

        JsonNode summerStats = api.get("/v1/stats?programId=" + program + "&tag=Summer")
                .expect(200)
                .json();
        assertThat(summerStats.at("/totals/clicks").asLong()).isEqualTo(3);
        assertThat(summerStats.at("/totals/conversions").asLong()).isEqualTo(1);
        assertThat(summerStats.at("/totals/revenue").asText()).isEqualTo("50.00");
        assertThat(summerStats.at("/totals/commissions").asText()).isEqualTo("5.00");
        JsonNode winterStats = api.get("/v1/stats?programId=" + program + "&tag=winter")
                .expect(200)
                .json();
        assertThat(winterStats.at("/totals/clicks").asLong()).isEqualTo(2);
        assertThat(winterStats.at("/totals/conversions").asLong()).isZero();
        assertThat(winterStats.at("/totals/commissions").asText()).isEqualTo("0.00");
        JsonNode byLink = api.get("/v1/stats?programId=" + program + "&tag=summer&groupBy=link")
                .expect(200)
                .json();
        List<String> keys = new ArrayList<>();
        byLink.get("rows").forEach(row -> keys.add(row.get("key").asText()));
        assertThat(keys).containsExactlyInAnyOrder(summer.linkId(), both.linkId());
        assertThat(api.get("/v1/stats?programId=" + program + "&tag=nobody")
                        .expect(200)
                        .json()
                        .at("/totals/clicks")
                        .asLong())
                .isZero();
        assertThat(api.get("/v1/stats?programId=" + program + "&tag=" + "x".repeat(41))
                        .expect(400)
                        .errorFields())
                .containsExactly("tag");
    }

    @Test
    void aPartnerTagsDeepLinksArchivesAndDeletesOnlyItsOwnLinks() {
        String program = api.createProgram();
        Onboard.SignedInPartner ada = Onboard.partner(api, program);
        Onboard.SignedInPartner bob = Onboard.partner(api, program);
        String mine = ada.session();

        JsonNode deep = api.send(
                        "POST",
                        "/v1/me/links",
                        "{\"programId\":\"%s\",\"tags\":[\"YouTube\"],\"path\":\"/pricing?plan=pro#faq\"}"
                                .formatted(program),
                        mine)
                .expect(201)
                .json();
        assertThat(deep.get("destinationUrl").asText()).isEqualTo("https://shop.example.com/pricing?plan=pro#faq");
        assertThat(texts(deep.get("tags"))).containsExactly("youtube");
        for (String hostile : List.of(
                "//evil.example",
                "/\\\\evil.example",
                "https://evil.example/",
                "https:evil.example",
                "evil.example",
                "/a b",
                "/caf\u00e9",
                "/x\\ny",
                "/" + "a".repeat(DeepLinkPath.MAX_LENGTH))) {
            assertThat(api.send(
                                    "POST",
                                    "/v1/me/links",
                                    "{\"programId\":\"%s\",\"path\":\"%s\"}".formatted(program, hostile),
                                    mine)
                            .expect(400)
                            .errorFields())
                    .as(hostile)
                    .containsExactly("path");
        }
        String plain = api.send("POST", "/v1/me/links", "{\"programId\":\"%s\"}".formatted(program), mine)
                .expect(201)
                .json()
                .get("id")
                .asText();
        String deepId = deep.get("id").asText();

        api.send("POST", "/v1/me/links/" + deepId + "/archive", null, bob.session())
                .expect(404);
        api.send("DELETE", "/v1/me/links/" + deepId, null, bob.session()).expect(404);
        JsonNode archived = api.send("POST", "/v1/me/links/" + deepId + "/archive", null, mine)
                .expect(200)
                .json();
        assertThat(archived.get("archived").asBoolean()).isTrue();
        assertThat(myLinks("", mine)).containsExactly(plain);
        assertThat(myLinks("?archived=true", mine)).containsExactlyInAnyOrder(plain, deepId);
        assertThat(myLinks("?archived=true&tag=youtube", mine)).containsExactly(deepId);
        assertThat(myLinks("?archived=true&tag=youtube", bob.session())).isEmpty();

        new Ledger(api)
                .click(
                        program,
                        new Ledger.Partner(ada.partnerId(), deepId),
                        api.clock().instant());
        TestApi.Response refused = api.send("DELETE", "/v1/me/links/" + deepId, null, mine);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("link_has_clicks");
        api.send("DELETE", "/v1/me/links/" + plain, null, mine).expect(204);
        assertThat(myLinks("?archived=true", mine)).containsExactly(deepId);
        // Admin routes stay admin-only.
        api.send("DELETE", "/v1/links/" + deepId, null, mine).expect(403);
    }

    private static List<String> myLinks(String query, String credential) {
        List<String> ids = new ArrayList<>();
        api.send("GET", "/v1/me/links" + query, null, credential)
                .expect(200)
                .json()
                .get("items")
                .forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void aProgramsAllowedHostsAreCheckedAndNormalised() {
        String slug = TestApi.unique("hosts-");
        JsonNode program = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Hosts","destinationUrl":"https://shop.example.com/","currency":"USD",
                         "allowedHosts":["Blog.Shop.Example.com","help.shop.example.com:8443","blog.shop.example.com"]}"""
                                .formatted(slug))
                .expect(201)
                .json();
        assertThat(texts(program.get("allowedHosts")))
                .containsExactly("blog.shop.example.com", "help.shop.example.com:8443");
        String id = program.get("id").asText();
        assertThat(api.patch(
                                "/v1/programs/" + id,
                                """
                                {"allowedHosts":["https://evil.example/","*.shop.example.com","ok.example","a b","x.example:99999","shop.example.com/path","caf\u00e9.example"]}""")
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder(
                        "allowedHosts[0]",
                        "allowedHosts[1]",
                        "allowedHosts[3]",
                        "allowedHosts[4]",
                        "allowedHosts[5]",
                        "allowedHosts[6]");
        assertThat(texts(api.patch("/v1/programs/" + id, "{\"allowedHosts\":null}")
                        .expect(200)
                        .json()
                        .get("allowedHosts")))
                .isEmpty();
    }
}
