package clickledger.api.click;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.db.partition.PartitionMaintenance;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.ResultQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClickRoutesTest {
    private static final Pattern PARTITION = Pattern.compile("\\bclick_(y\\d{4}m\\d{2}|default)\\b");
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Inserts a click the way the router does: ts is the millisecond inside the id. */
    private static UUID insertClick(Instant at, boolean complete) {
        UUID id = Ulid.newUuidV7(at.toEpochMilli());
        var insert = api.dsl()
                .insertInto(CLICK)
                .set(CLICK.ID, id)
                .set(CLICK.TS, Instant.ofEpochMilli(at.toEpochMilli()).atOffset(ZoneOffset.UTC))
                .set(CLICK.LINK_ID, Ulid.newUuidV7(at.toEpochMilli()))
                .set(CLICK.PROGRAM_ID, Ulid.newUuidV7(at.toEpochMilli()))
                .set(CLICK.PARTNER_ID, Ulid.newUuidV7(at.toEpochMilli()));
        if (complete) {
            insert.set(CLICK.IP_HASH, new byte[] {1, 2, 3})
                    .set(CLICK.USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64)")
                    .set(CLICK.REFERER, "https://news.example.org/post")
                    .set(CLICK.LANDING_URL, "https://shop.example.com/?cref=x")
                    .set(CLICK.COUNTRY, "DE")
                    .set(CLICK.UTM_SOURCE, "newsletter")
                    .set(CLICK.UTM_MEDIUM, "email")
                    .set(CLICK.UTM_CAMPAIGN, "spring")
                    .set(CLICK.UTM_TERM, "shoes")
                    .set(CLICK.UTM_CONTENT, "hero")
                    .set(CLICK.IS_BOT, true)
                    .set(CLICK.BOT_REASON, "user_agent")
                    .set(CLICK.FRAUD_FLAG, "burst")
                    .set(CLICK.DEVICE, "desktop")
                    .set(CLICK.BROWSER, "Firefox")
                    .set(CLICK.OS, "Linux")
                    .set(CLICK.REFERRER_DOMAIN, "news.example.org");
        }
        insert.execute();
        return id;
    }

    @Test
    void clickIsReturnedWithEveryField() {
        Instant at = Instant.parse("2030-01-20T08:30:00.123Z");
        UUID id = insertClick(at, true);
        var row = api.dsl().selectFrom(CLICK).where(CLICK.ID.eq(id)).fetchSingle();

        JsonNode click = api.get("/v1/clicks/" + Ulid.encode(id)).expect(200).json();

        assertThat(click.get("id").asText()).isEqualTo(Ulid.encode(id));
        assertThat(click.get("ts").asText()).isEqualTo("2030-01-20T08:30:00.123Z");
        assertThat(click.get("linkId").asText()).isEqualTo(Ulid.encode(row.getLinkId()));
        assertThat(click.get("programId").asText()).isEqualTo(Ulid.encode(row.getProgramId()));
        assertThat(click.get("partnerId").asText()).isEqualTo(Ulid.encode(row.getPartnerId()));
        assertThat(click.get("isBot").asBoolean()).isTrue();
        assertThat(click.get("botReason").asText()).isEqualTo("user_agent");
        assertThat(click.get("fraudFlag").asText()).isEqualTo("burst");
        assertThat(click.get("country").asText()).isEqualTo("DE");
        assertThat(click.get("utmSource").asText()).isEqualTo("newsletter");
        assertThat(click.get("utmMedium").asText()).isEqualTo("email");
        assertThat(click.get("utmCampaign").asText()).isEqualTo("spring");
        assertThat(click.get("utmTerm").asText()).isEqualTo("shoes");
        assertThat(click.get("utmContent").asText()).isEqualTo("hero");
        assertThat(click.get("referer").asText()).isEqualTo("https://news.example.org/post");
        assertThat(click.get("userAgent").asText()).isEqualTo("Mozilla/5.0 (X11; Linux x86_64)");
        assertThat(click.has("ipHash")).isFalse();
        assertThat(click.get("device").asText()).isEqualTo("desktop");
        assertThat(click.get("browser").asText()).isEqualTo("Firefox");
        assertThat(click.get("os").asText()).isEqualTo("Linux");
        assertThat(click.get("referrerDomain").asText()).isEqualTo("news.example.org");
        assertThat(click.has("landingUrl")).isFalse();
        assertThat(click.size()).isEqualTo(20);
    }

    @Test
    void sparseClickShowsNullsAndTheUuidFormWorksToo() {
        UUID id = insertClick(Instant.parse("2030-02-03T00:00:00Z"), false);

        JsonNode click = api.get("/v1/clicks/" + id).expect(200).json();

        assertThat(click.get("id").asText()).isEqualTo(Ulid.encode(id));
        assertThat(click.get("isBot").asBoolean()).isFalse();
        assertThat(click.get("country").isNull()).isTrue();
        assertThat(click.get("userAgent").isNull()).isTrue();
        assertThat(click.get("device").isNull())
                .as("a click from before the router parsed agents")
                .isTrue();
        assertThat(click.get("referrerDomain").isNull()).isTrue();
    }

    @Test
    void unknownClickIs404() {
        UUID unknown = Ulid.newUuidV7(Instant.parse("2030-01-20T08:30:00Z").toEpochMilli());

        TestApi.Response response = api.get("/v1/clicks/" + Ulid.encode(unknown));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void malformedCrefIs400NamingCref() {
        for (String cref : new String[] {"abc", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "01J!0000000000000000000000", "%C3%A9"}) {
            TestApi.Response response = api.get("/v1/clicks/" + cref);

            assertThat(response.status()).as(cref).isEqualTo(400);
            assertThat(response.errorFields()).as(cref).containsExactly("cref");
        }
    }

    @Test
    void lookupByCrefScansOnlyTheClicksMonthPartition() {
        // Rows in several months, so a plan that scanned more than one partition would show it.
        insertClick(Instant.parse("2030-01-02T00:00:00Z"), false);
        insertClick(Instant.parse("2030-03-02T00:00:00Z"), false);
        insertClick(Instant.parse("2031-06-02T00:00:00Z"), false);
        UUID id = insertClick(Instant.parse("2030-02-14T12:00:00Z"), true);
        assertThat(PartitionMaintenance.attachedPartitions(api.dsl())).hasSizeGreaterThan(2);

        ResultQuery<?> query = ClickRepository.byId(api.dsl(), new ClickId(id));
        String plan = String.join(
                "\n",
                api.dsl()
                        .fetch(
                                "explain " + query.getSQL(),
                                query.getBindValues().toArray())
                        .getValues(0, String.class));

        Set<String> partitions = new TreeSet<>();
        Matcher matcher = PARTITION.matcher(plan);
        while (matcher.find()) {
            partitions.add(matcher.group());
        }
        assertThat(partitions).as(plan).containsExactly(PartitionMaintenance.partitionName(YearMonth.of(2030, 2)));
    }
}
