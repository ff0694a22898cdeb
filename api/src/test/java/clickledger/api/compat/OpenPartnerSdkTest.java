package clickledger.api.compat;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The published {@code @openpartner/sdk} server client, run by Node against the real api with
 * only its apiUrl pointed here: what an OpenPartner user's backend does after switching.
 */
class OpenPartnerSdkTest {
    private static final Instant NOW = TestApi.START;
    // The program that keyless-program events land in, as an operator would name it in .env.
    private static final String PROGRAM_SLUG = "openpartner-sdk";
    private static TestApi api;
    private static Seeds seeds;
    private static String program;
    private static String apiUrl;

    @BeforeAll
    static void start() {
        if (OpenPartnerSdk.unavailable().isPresent()) {
            return;
        }
        api = TestApi.start(Map.of("COMPAT_DEFAULT_PROGRAM", PROGRAM_SLUG));
        apiUrl = api.url("");
        seeds = new Seeds(api);
        program = seeds.program(PROGRAM_SLUG, "linear");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void needsTheSdk() {
        OpenPartnerSdk.require();
    }

    private static ObjectNode identify(String cref, String userId) {
        return OpenPartnerSdk.call(
                "identify", apiUrl, TestApi.ADMIN_KEY, "{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, userId));
    }

    private static ObjectNode trackEvent(String paramsJson) {
        return OpenPartnerSdk.call("trackEvent", apiUrl, TestApi.ADMIN_KEY, paramsJson);
    }

    private static JsonNode value(JsonNode result) {
        assertThat(result.has("error")).as("SDK call failed: %s", result).isFalse();
        return result.get("value");
    }

    @Test
    void serverIdentifyThenTrackEventAttributesThePurchase() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(2)));
        String user = TestApi.unique("user-");

        JsonNode results = OpenPartnerSdk.drive(List.of(
                identify(cref, user),
                trackEvent(
                        """
                        {"userId":"%s","type":"invoice_paid","value":249,"currency":"USD",
                         "metadata":{"stripeInvoiceId":"in_123"}}"""
                                .formatted(user))));

        JsonNode stitch = value(results.get(0));
        assertThat(stitch.get("ok").asBoolean()).isTrue();
        assertThat(stitch.get("identityId").asText()).hasSize(26);
        assertThat(stitch.get("firstStitch").asBoolean()).isTrue();
        assertThat(stitch.get("backfilledAttributions").asInt()).isZero();
        JsonNode event = value(results.get(1));
        assertThat(event.get("ok").asBoolean()).isTrue();
        assertThat(event.at("/attribution/status").asText()).isEqualTo("attributed");
        assertThat(event.at("/attribution/model").asText()).isEqualTo("linear");
        JsonNode touches = event.at("/attribution/touches");
        assertThat(touches).hasSize(1);
        assertThat(touches.get(0).get("clickId").asText()).isEqualTo(cref);
        assertThat(touches.get(0).get("partnerId").asText()).isEqualTo(partner.id());
        assertThat(touches.get(0).get("weight").isNumber()).isTrue();
        assertThat(touches.get(0).get("weight").decimalValue()).isEqualByComparingTo("1");
        assertThat(touches.get(0).get("attributionId").asText()).hasSize(26);
        JsonNode commissions = api.get(
                        "/v1/commissions?eventId=" + event.get("eventId").asText())
                .expect(200)
                .json()
                .get("items");
        assertThat(commissions).hasSize(1);
        assertThat(commissions.get(0).get("id").asText())
                .isEqualTo(touches.get(0).get("commissionId").asText());
        assertThat(commissions.get(0).get("amount").asText()).isEqualTo("24.90");
    }

    @Test
    void multiTouchLinearProgramSplitsTheEventBetweenTwoPartners() {
        Ledger.Partner first = seeds.partner(program);
        Ledger.Partner second = seeds.partner(program);
        String firstCref = seeds.click(program, first, NOW.minus(Duration.ofDays(5)));
        String secondCref = seeds.click(program, second, NOW.minus(Duration.ofDays(1)));
        String user = TestApi.unique("user-");

        JsonNode results = OpenPartnerSdk.drive(List.of(
                identify(firstCref, user),
                identify(secondCref, user),
                trackEvent("{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":100}".formatted(user))));

        assertThat(value(results.get(0)).get("firstStitch").asBoolean()).isTrue();
        assertThat(value(results.get(1)).get("firstStitch").asBoolean()).isFalse();
        JsonNode touches = value(results.get(2)).at("/attribution/touches");
        List<String> clicks = new ArrayList<>();
        List<String> partners = new ArrayList<>();
        List<BigDecimal> weights = new ArrayList<>();
        List<String> commissionIds = new ArrayList<>();
        touches.forEach(touch -> {
            clicks.add(touch.get("clickId").asText());
            partners.add(touch.get("partnerId").asText());
            weights.add(touch.get("weight").decimalValue());
            commissionIds.add(touch.get("commissionId").asText());
        });
        assertThat(clicks).containsExactly(firstCref, secondCref);
        assertThat(partners).containsExactly(first.id(), second.id());
        assertThat(weights)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("0.5"), new BigDecimal("0.5"));
        assertThat(commissionIds).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id)
                .hasSize(26));
        List<String> amounts = new ArrayList<>();
        api.get("/v1/commissions?eventId="
                        + value(results.get(2)).get("eventId").asText())
                .expect(200)
                .json()
                .get("items")
                .forEach(commission -> amounts.add(commission.get("partnerId").asText() + "="
                        + commission.get("amount").asText()));
        assertThat(amounts).containsExactlyInAnyOrder(first.id() + "=5.00", second.id() + "=5.00");
    }

    @Test
    void errorsReachTheSdkAsOpenPartnerErrorsWithStatusAndCode() {
        String unknownCref = Ulid.encode(Ulid.newUuidV7(NOW.toEpochMilli()));
        JsonNode results = OpenPartnerSdk.drive(List.of(
                OpenPartnerSdk.call(
                        "trackEvent", apiUrl, "op_wrong_key_0123456789", "{\"userId\":\"u\",\"type\":\"signup\"}"),
                identify(unknownCref, "u"),
                trackEvent("{\"userId\":\"u\"}")));

        JsonNode badKey = results.get(0).get("error");
        assertThat(badKey.get("name").asText()).isEqualTo("OpenPartnerError");
        assertThat(badKey.get("status").asInt()).isEqualTo(401);
        assertThat(badKey.get("code").asText()).isEqualTo("unauthorized");
        assertThat(badKey.get("message").asText()).isEqualTo("unauthorized");
        JsonNode unknown = results.get(1).get("error");
        assertThat(unknown.get("status").asInt()).isEqualTo(404);
        assertThat(unknown.get("code").asText()).isEqualTo("click_not_found");
        assertThat(unknown.get("detail").asText()).contains("cref");
        JsonNode invalid = results.get(2).get("error");
        assertThat(invalid.get("status").asInt()).isEqualTo(400);
        assertThat(invalid.get("code").asText()).isEqualTo("invalid_body");
        assertThat(invalid.get("detail").asText()).contains("type");
    }

    @Test
    void eventsRepeatUnlessAnIdempotencyKeyNamesThem() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(1)));
        String user = TestApi.unique("user-");
        String plain = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":10}".formatted(user);
        String keyed = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":20,\"metadata\":{\"eventId\":\"in_42\"}}"
                .formatted(user);
        ObjectNode withHeader =
                trackEvent("{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":30}".formatted(user));
        withHeader.putObject("headers").put("Idempotency-Key", "order-7");

        JsonNode results = OpenPartnerSdk.drive(List.of(
                trackEvent(plain),
                identify(cref, user),
                trackEvent(plain),
                trackEvent(plain),
                trackEvent(keyed),
                trackEvent(keyed),
                withHeader,
                withHeader.deepCopy()));

        // The event before any identify waited, and the stitch attributed it (backfill).
        assertThat(value(results.get(0)).at("/attribution/status").asText()).isEqualTo("no_identity");
        assertThat(value(results.get(1)).get("backfilledAttributions").asInt()).isEqualTo(1);
        assertThat(value(results.get(2)).get("eventId"))
                .isNotEqualTo(value(results.get(3)).get("eventId"));
        assertThat(value(results.get(4)).get("eventId").asText()).isEqualTo("in_42");
        assertThat(value(results.get(5))).isEqualTo(value(results.get(4)));
        assertThat(value(results.get(6)).get("eventId").asText()).isEqualTo("order-7");
        assertThat(value(results.get(7))).isEqualTo(value(results.get(6)));
    }
}
