package clickledger.api.stripe;

import static clickledger.api.stripe.StripeFixtures.charge;
import static clickledger.api.stripe.StripeFixtures.checkoutSession;
import static clickledger.api.stripe.StripeFixtures.dispute;
import static clickledger.api.stripe.StripeFixtures.event;
import static clickledger.api.stripe.StripeFixtures.invoice;
import static clickledger.api.stripe.StripeFixtures.refund;
import static clickledger.db.jooq.Tables.STRIPE_EVENT;
import static clickledger.db.jooq.Tables.STRIPE_INTEGRATION;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ProgramLockHolder;
import clickledger.api.TestApi;
import clickledger.api.attribution.ProgramLocks;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stripe's webhooks against the real api and PostgreSQL, with events signed by Stripe's own
 * library: every mapped type, exactly-once, signature failures, JPY, currency mismatch, out-of-
 * order delivery, and a subscription compared call for call with the same facts sent to
 * /v1/identify and /v1/events.
 */
class StripeWebhookTest {
    private static final Instant NOW = TestApi.START;
    // Clicked four months ago: the subscription below runs from then to now.
    private static final Instant CLICKED = NOW.minus(Duration.ofDays(120));
    private static final Instant START = CLICKED.plus(Duration.ofHours(1));
    // 30 % of the first payment; 10 % of later ones for two months after it.
    private static final String RULES =
            """
            [{"trigger":"first","kind":"percent","amount":"30"},
             {"trigger":"subsequent","kind":"percent","amount":"10","recurringMonths":2}]""";
    private static final String COMPAT_SLUG = "stripe-compat-shop";

    private static TestApi api;
    private static Ledger ledger;
    private static StripeFixtures stripe;

    @BeforeAll
    static void start() {
        // Auto-approval would move commissions on its own schedule; these tests compare statuses.
        api = TestApi.start(Map.of("COMMISSION_APPROVAL_SECONDS", "86400", "COMPAT_DEFAULT_PROGRAM", COMPAT_SLUG));
        ledger = new Ledger(api);
        stripe = new StripeFixtures(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A program with one partner whose link was clicked at CLICKED; cref is that click. */
    record Shop(String programId, Ledger.Partner partner, String cref) {}

    private static Shop shop(String currency) {
        return shop(currency, TestApi.unique("stripe-shop-"), true);
    }

    private static Shop shop(String currency, String slug, boolean connect) {
        String programId = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Shop","destinationUrl":"https://shop.example.com/","currency":"%s",
                         "lookbackDays":365,"holdbackDays":30,"commissionRules":%s}"""
                                .formatted(slug, currency, RULES))
                .expect(201)
                .json()
                .get("id")
                .asText();
        Ledger.Partner partner = ledger.partner(programId);
        String cref = ledger.click(programId, partner, CLICKED);
        if (connect) {
            stripe.connect(programId);
        }
        return new Shop(programId, partner, cref);
    }

    private static JsonNode deliver(Shop shop, String payload) {
        return stripe.deliver(shop.programId(), payload).expect(200).json();
    }

    private static String subscriptionCheckout(String id, String customer, String cref, String subscription) {
        var session = checkoutSession("cs_" + id, "subscription", customer, cref, 4900, "usd")
                .put("subscription", subscription);
        return event("evt_checkout_" + id, "checkout.session.completed", START, session);
    }

    private static String paidInvoice(String id, String customer, String subscription, String reason, Instant at) {
        return event(
                "evt_" + id,
                "invoice.paid",
                at,
                invoice(id, customer, subscription, reason, 4900, "usd", at, "pi_" + id, "ch_" + id));
    }

    /**
     * Every commission row of a program as "payment kind amount status flag holdUntil", refunds
     * under the payment they reverse: what the partner is owed, without ids that differ between
     * two programs fed the same facts.
     */
    private static List<String> ledgerState(String programId) {
        return api.dsl()
                .fetch(
                        """
                        select coalesce(o.event_key, e.event_key) as payment, c.kind, c.amount_minor, c.status,
                               coalesce(c.fraud_flag, '-') as flag, c.hold_until
                        from commission c
                        join event e on e.id = c.event_id
                        left join event o on o.id = e.refund_of
                        where c.program_id = ?
                        order by 1, 2, 3, 4""",
                        Ulid.parse(programId).orElseThrow())
                .map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2) + " " + r.get(3) + " " + r.get(4) + " "
                        + r.get(5, java.time.OffsetDateTime.class).toInstant());
    }

    /** Each non-refund event as "key value status" with the total refunded against it. */
    private static List<String> eventState(String programId) {
        return api.dsl()
                .fetch(
                        """
                        select e.event_key, e.value_minor, e.attribution_status,
                               coalesce((select sum(r.value_minor) from event r where r.refund_of = e.id), 0)
                        from event e
                        where e.program_id = ? and e.refund_of is null
                        order by e.event_key""",
                        Ulid.parse(programId).orElseThrow())
                .map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2) + " refunded " + r.get(3));
    }

    private static int storedStripeEvents(String programId) {
        return api.dsl()
                .fetchCount(
                        STRIPE_EVENT,
                        STRIPE_EVENT.PROGRAM_ID.eq(Ulid.parse(programId).orElseThrow()));
    }

    // ---- connecting ----------------------------------------------------------------------------

    @Test
    void connectingShowsTheSecretMaskedAndStoresItSealed() {
        Shop shop = shop("USD", TestApi.unique("stripe-connect-"), false);
        String path = "/v1/programs/" + shop.programId() + "/integrations/stripe";

        JsonNode before = api.get(path).expect(200).json();
        assertThat(before.get("connected").asBoolean()).isFalse();
        assertThat(before.get("webhookUrl").asText()).isEqualTo("http://localhost:4601" + path + "/webhook");

        JsonNode connected = api.send(
                        "PUT", path, "{\"webhookSecret\":\"" + StripeFixtures.SECRET + "\"}", TestApi.ADMIN_KEY)
                .expect(201)
                .json();
        assertThat(connected.get("connected").asBoolean()).isTrue();
        assertThat(connected.get("eventType").asText()).isEqualTo("purchase");
        assertThat(connected.get("webhookSecret").asText()).isEqualTo("whsec_…dC2b");
        assertThat(api.get(path).expect(200).body()).doesNotContain(StripeFixtures.SECRET);
        byte[] sealed = api.dsl()
                .select(STRIPE_INTEGRATION.SECRET_ENC)
                .from(STRIPE_INTEGRATION)
                .where(STRIPE_INTEGRATION.PROGRAM_ID.eq(
                        Ulid.parse(shop.programId()).orElseThrow()))
                .fetchOne(STRIPE_INTEGRATION.SECRET_ENC);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("fixture_5Xq2");

        api.send(
                        "PUT",
                        path,
                        "{\"webhookSecret\":\"" + StripeFixtures.SECRET + "\",\"eventType\":\"sale\"}",
                        TestApi.ADMIN_KEY)
                .expect(200);
        assertThat(api.get(path).json().get("eventType").asText()).isEqualTo("sale");

        api.send("DELETE", path, null, TestApi.ADMIN_KEY).expect(204);
        assertThat(api.get(path).json().get("connected").asBoolean()).isFalse();
        api.send("DELETE", path, null, TestApi.ADMIN_KEY).expect(404);
        stripe.deliver(
                        shop.programId(),
                        event(
                                "evt_after",
                                "invoice.paid",
                                NOW,
                                invoice("in_x", "cus_x", null, "manual", 100, "usd", NOW, null, null)))
                .expect(404);
    }

    @Test
    void aSecretThatIsNotStripesIsRefusedNamingTheField() {
        Shop shop = shop("USD", TestApi.unique("stripe-bad-"), false);
        String path = "/v1/programs/" + shop.programId() + "/integrations/stripe";

        TestApi.Response response =
                api.send("PUT", path, "{\"webhookSecret\":\"sk_live_123\",\"eventType\":\"\"}", TestApi.ADMIN_KEY);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactlyInAnyOrder("webhookSecret", "eventType");
        api.send(
                        "PUT",
                        "/v1/programs/" + Ulid.encode(UUID.randomUUID()) + "/integrations/stripe",
                        "{\"webhookSecret\":\"" + StripeFixtures.SECRET + "\"}",
                        TestApi.ADMIN_KEY)
                .expect(404);
    }

    // ---- verification ----------------------------------------------------------------------------

    @Test
    void wrongSignatureTamperedBodyAndStaleTimestampAre400AndStoreNothing() {
        Shop shop = shop("USD");
        String payload = paidInvoice("in_verify", "cus_verify", null, "manual", START);
        String path = "/v1/programs/" + shop.programId() + "/integrations/stripe/webhook";
        long now = api.clock().instant().getEpochSecond();

        List<TestApi.Response> refused = List.of(
                stripe.post(
                        path, payload, StripeFixtures.signature("whsec_someone_elses_secret_0123456789", now, payload)),
                stripe.post(
                        path,
                        payload.replace("4900", "9900"),
                        StripeFixtures.signature(StripeFixtures.SECRET, now, payload)),
                stripe.post(path, payload, StripeFixtures.signature(StripeFixtures.SECRET, now - 301, payload)),
                stripe.post(path, payload, null),
                stripe.post(path, payload, "t=" + now + ",v1=deadbeef"));

        for (TestApi.Response response : refused) {
            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.errorFields()).containsExactly("Stripe-Signature");
        }
        assertThat(storedStripeEvents(shop.programId())).isZero();
        assertThat(eventState(shop.programId())).isEmpty();
        // Just inside the tolerance is accepted: the 301 above failed on time, not on its signature.
        stripe.post(path, payload, StripeFixtures.signature(StripeFixtures.SECRET, now - 299, payload))
                .expect(200);
        assertThat(storedStripeEvents(shop.programId())).isEqualTo(1);
    }

    @Test
    void aSignedBodyThatIsNotAStripeEventIs400NamingTheField() {
        Shop shop = shop("USD");
        String path = "/v1/programs/" + shop.programId() + "/integrations/stripe/webhook";

        TestApi.Response notJson = stripe.post(path, "{not json", stripe.signedNow("{not json"));
        String noObject = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":1}";
        TestApi.Response missing = stripe.post(path, noObject, stripe.signedNow(noObject));

        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorFields()).containsExactly("body");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorFields()).containsExactly("data.object");
        assertThat(storedStripeEvents(shop.programId())).isZero();
    }

    @Test
    void hostileEventsAreRefusedOrFailedNeverA500() {
        Shop shop = shop("USD");
        String path = "/v1/programs/" + shop.programId() + "/integrations/stripe/webhook";
        String array = "[]";
        String longId = event("evt_" + "x".repeat(300), "invoice.paid", START, Json.MAPPER.createObjectNode());
        String huge = event(
                "evt_huge",
                "invoice.paid",
                START,
                Json.MAPPER.createObjectNode().put("id", "in_huge").put("padding", "x".repeat(1_100_000)));
        var negative = invoice("in_negative", "cus_hostile", null, "manual", 0, "usd", START, null, null)
                .put("amount_paid", -4900);
        var text = invoice("in_text", "cus_hostile", null, "manual", 0, "usd", START, null, null)
                .put("amount_paid", "49.00");
        var control = invoice("in_control", "cus_\0x", null, "manual", 100, "usd", START, null, null);

        assertThat(stripe.post(path, array, stripe.signedNow(array)).errorFields())
                .containsExactly("body");
        assertThat(stripe.post(path, longId, stripe.signedNow(longId)).errorFields())
                .containsExactly("id");
        assertThat(stripe.post(path, huge, stripe.signedNow(huge)).status()).isEqualTo(413);
        for (var object : List.of(negative, text, control)) {
            JsonNode answer = deliver(shop, event("evt_" + object.get("id").asText(), "invoice.paid", START, object));
            assertThat(answer.get("outcome").asText()).as(answer.toString()).isEqualTo("failed");
        }
        assertThat(eventState(shop.programId())).isEmpty();
        assertThat(storedStripeEvents(shop.programId())).isEqualTo(3);
    }

    @Test
    void aRedeliveryAnswers200AndChangesNothing() {
        Shop shop = shop("USD");
        deliver(shop, subscriptionCheckout("redeliver", "cus_redeliver", shop.cref(), "sub_redeliver"));
        String payload = paidInvoice("in_redeliver", "cus_redeliver", "sub_redeliver", "subscription_create", START);

        JsonNode first = deliver(shop, payload);
        List<String> after = ledgerState(shop.programId());
        JsonNode again = deliver(shop, payload);

        assertThat(first.get("duplicate").asBoolean()).isFalse();
        assertThat(first.get("outcome").asText()).isEqualTo("processed");
        assertThat(again.get("duplicate").asBoolean()).isTrue();
        assertThat(again.get("outcome").asText()).isEqualTo("processed");
        assertThat(ledgerState(shop.programId())).isEqualTo(after).hasSize(1);
        assertThat(storedStripeEvents(shop.programId())).isEqualTo(2);
    }

    // ---- the same facts through Stripe and through /v1/events -------------------------------------

    @Test
    void aSubscriptionWithThreeRenewalsAndAPartialRefundMatchesTheSameCallsThroughEvents() {
        Shop viaStripe = shop("USD");
        Shop viaEvents = shop("USD", TestApi.unique("stripe-manual-"), false);
        String customer = "cus_compare";
        List<Instant> paid = List.of(
                START,
                START.plus(Duration.ofDays(30)),
                START.plus(Duration.ofDays(60)),
                START.plus(Duration.ofDays(90)));
        Instant refunded = START.plus(Duration.ofDays(65));

        deliver(viaStripe, subscriptionCheckout("compare", customer, viaStripe.cref(), "sub_compare"));
        for (int i = 0; i < paid.size(); i++) {
            String reason = i == 0 ? "subscription_create" : "subscription_cycle";
            deliver(viaStripe, paidInvoice("in_compare_" + i, customer, "sub_compare", reason, paid.get(i)));
        }
        deliver(
                viaStripe,
                event(
                        "evt_refund_compare",
                        "refund.created",
                        refunded,
                        refund("re_compare", "ch_in_compare_2", "pi_in_compare_2", 1500, "usd")));
        deliver(
                viaStripe,
                event(
                        "evt_charge_refunded_compare",
                        "charge.refunded",
                        refunded,
                        charge("ch_in_compare_2", "pi_in_compare_2", "in_compare_2", 4900, 1500, "usd")));

        ledger.identify(viaEvents.cref(), customer).expect(201);
        for (int i = 0; i < paid.size(); i++) {
            ledger.event(viaEvents.programId(), "in_compare_" + i, customer, "49.00", paid.get(i))
                    .expect(201);
        }
        api.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"re_compare","userId":"%s","type":"refund","refundOf":"in_compare_2",
                         "value":"15.00","ts":"%s"}"""
                                .formatted(viaEvents.programId(), customer, refunded))
                .expect(201);

        List<String> state = ledgerState(viaStripe.programId());
        assertThat(state).isEqualTo(ledgerState(viaEvents.programId()));
        assertThat(eventState(viaStripe.programId())).isEqualTo(eventState(viaEvents.programId()));
        // First 30 %, two renewals at 10 % inside recurringMonths, the third outside it; 15.00 of 49.00 back.
        assertThat(state)
                .extracting(line -> line.split(" ")[0] + " " + line.split(" ")[1] + " " + line.split(" ")[2])
                .containsExactly(
                        "in_compare_0 commission 1470",
                        "in_compare_1 commission 490",
                        "in_compare_2 commission 490",
                        "in_compare_2 reversal -150");
    }

    // ---- checkout, JPY, currencies ---------------------------------------------------------------

    @Test
    void aOneTimeCheckoutIdentifiesTheCustomerAndRecordsThePayment() {
        Shop shop = shop("USD");
        var session = checkoutSession("cs_once", "payment", "cus_once", shop.cref(), 12_000, "usd")
                .put("payment_intent", "pi_once");

        JsonNode answer = deliver(shop, event("evt_once", "checkout.session.completed", START, session));

        assertThat(answer.get("outcome").asText()).isEqualTo("processed");
        assertThat(answer.get("detail").asText()).contains("cus_once identified with click " + shop.cref());
        assertThat(eventState(shop.programId())).containsExactly("pi_once 12000 attributed refunded 0");
        assertThat(ledgerState(shop.programId()))
                .singleElement()
                .asString()
                .startsWith("pi_once commission 3600 pending -");
        // A full refund through refund.created reverses all of it.
        deliver(
                shop,
                event(
                        "evt_once_refund",
                        "refund.created",
                        START.plus(Duration.ofDays(3)),
                        refund("re_once", "ch_once", "pi_once", 12_000, "usd")));
        assertThat(ledgerState(shop.programId()))
                .extracting(line -> line.split(" ")[1] + " " + line.split(" ")[2] + " " + line.split(" ")[3])
                .containsExactly("commission 3600 reversed", "reversal -3600 reversed");
    }

    @Test
    @SuppressWarnings("try") // the holder is held, not used
    void aDeliveryThatMeetsAReDerivationIs503AndKeptNowhereSoStripeSendsItAgain() throws Exception {
        Shop shop = shop("USD");
        var session = checkoutSession("cs_busy", "payment", "cus_busy", shop.cref(), 12_000, "usd")
                .put("payment_intent", "pi_busy");
        String payload = event("evt_busy", "checkout.session.completed", START, session);
        // What RederiveService holds for its whole run. Inside the delivery's transaction the
        // event does not wait for it: stored as "failed", Stripe would never send it again.
        try (ProgramLockHolder ignored = ProgramLockHolder.hold(api, shop.programId())) {
            TestApi.Response refused = stripe.deliver(shop.programId(), payload);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.json().get("code").asText()).isEqualTo(ProgramLocks.BUSY);
            assertThat(refused.header("Retry-After")).isNotBlank();
        }
        assertThat(storedStripeEvents(shop.programId())).isZero();
        assertThat(eventState(shop.programId())).isEmpty();

        JsonNode again = deliver(shop, payload);
        assertThat(again.get("outcome").asText()).isEqualTo("processed");
        assertThat(eventState(shop.programId())).containsExactly("pi_busy 12000 attributed refunded 0");
    }

    @Test
    void aDelayedPaymentIsRecordedWhenItSucceedsAndMetadataCrefIdentifiesTheCustomer() {
        Shop shop = shop("USD");
        // A bank debit: Checkout completes unpaid; the cref travels in metadata, not client_reference_id.
        ObjectNode session = checkoutSession("cs_delayed", "payment", "cus_delayed", null, 8000, "usd")
                .put("payment_intent", "pi_delayed")
                .put("payment_status", "unpaid");
        ((ObjectNode) session.get("metadata")).put("cref", shop.cref());

        JsonNode completed = deliver(shop, event("evt_delayed", "checkout.session.completed", START, session));

        assertThat(completed.get("outcome").asText()).isEqualTo("processed");
        assertThat(completed.get("detail").asText())
                .contains("cus_delayed identified with click " + shop.cref())
                .contains("checkout.session.async_payment_succeeded");
        assertThat(eventState(shop.programId())).isEmpty();

        session.put("payment_status", "paid");
        JsonNode succeeded = deliver(
                shop,
                event(
                        "evt_delayed_paid",
                        "checkout.session.async_payment_succeeded",
                        START.plus(Duration.ofDays(2)),
                        session));

        assertThat(succeeded.get("outcome").asText()).isEqualTo("processed");
        assertThat(eventState(shop.programId())).containsExactly("pi_delayed 8000 attributed refunded 0");
        assertThat(ledgerState(shop.programId()))
                .singleElement()
                .asString()
                .startsWith("pi_delayed commission 2400 pending -");
    }

    /**
     * From Stripe's API version 2025-03-31 an invoice names neither its subscription at the top
     * nor its payment intent: the subscription is under parent.subscription_details and the
     * payment comes in invoice_payment.paid, which is what lets a refund of the payment intent
     * find the invoice's event. Delivered in order, and in the worst order (refund, then the
     * invoice payment, then the invoice), the end state is the same.
     */
    @Test
    void anInvoiceOfTheNewApiVersionIsFoundByItsRefundThroughInvoicePaymentInEitherOrder() {
        Shop inOrder = shop("USD");
        Shop outOfOrder = shop("USD");
        ObjectNode newInvoice =
                invoice("in_new", "cus_new", null, "subscription_create", 4900, "usd", START, null, null);
        newInvoice.remove(List.of("subscription", "payment_intent", "charge"));
        newInvoice
                .putObject("parent")
                .put("type", "subscription_details")
                .putObject("subscription_details")
                .put("subscription", "sub_new");
        String paid = event("evt_in_new", "invoice.paid", START, newInvoice);
        ObjectNode payment = Json.MAPPER
                .createObjectNode()
                .put("id", "inpay_new")
                .put("object", "invoice_payment")
                .put("invoice", "in_new")
                .put("status", "paid");
        payment.putObject("payment").put("type", "payment_intent").put("payment_intent", "pi_new");
        String linked = event("evt_inpay_new", "invoice_payment.paid", START, payment);
        String refunded = event(
                "evt_re_new",
                "refund.created",
                START.plus(Duration.ofDays(5)),
                refund("re_new", "ch_new", "pi_new", 2000, "usd"));

        for (Shop shop : List.of(inOrder, outOfOrder)) {
            deliver(shop, subscriptionCheckout("new_api", "cus_new", shop.cref(), "sub_new"));
        }
        for (String payload : List.of(paid, linked, refunded)) {
            assertThat(deliver(inOrder, payload).get("outcome").asText()).isEqualTo("processed");
        }
        assertThat(deliver(outOfOrder, refunded).get("outcome").asText()).isEqualTo("held");
        assertThat(deliver(outOfOrder, linked).get("outcome").asText()).isEqualTo("held");
        assertThat(deliver(outOfOrder, paid).get("outcome").asText()).isEqualTo("processed");

        assertSameEndState(inOrder, outOfOrder);
        assertThat(ledgerState(outOfOrder.programId()))
                .extracting(line -> line.split(" ")[0] + " " + line.split(" ")[1] + " " + line.split(" ")[2])
                .containsExactly("in_new commission 1470", "in_new reversal -600");
        assertThat(api.get("/v1/programs/" + outOfOrder.programId() + "/integrations/stripe/events?outcome=held")
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void yenAreStripesMinorUnitsAsTheyAre() {
        Shop shop = shop("JPY");
        var session = checkoutSession("cs_yen", "payment", "cus_yen", shop.cref(), 5000, "jpy")
                .put("payment_intent", "pi_yen");

        deliver(shop, event("evt_yen", "checkout.session.completed", START, session));

        assertThat(eventState(shop.programId())).containsExactly("pi_yen 5000 attributed refunded 0");
        JsonNode commission = api.get("/v1/commissions?programId=" + shop.programId())
                .expect(200)
                .json()
                .get("items")
                .get(0);
        assertThat(commission.get("amount").asText()).isEqualTo("1500");
        assertThat(commission.get("currency").asText()).isEqualTo("JPY");
    }

    @Test
    void aCurrencyThatIsNotTheProgramsIsRefusedVisibly() {
        Shop shop = shop("USD");
        String payload = event(
                "evt_euro",
                "invoice.paid",
                START,
                invoice("in_euro", "cus_euro", null, "manual", 4900, "eur", START, "pi_euro", "ch_euro"));

        JsonNode answer = deliver(shop, payload);

        assertThat(answer.get("outcome").asText()).isEqualTo("failed");
        assertThat(eventState(shop.programId())).isEmpty();
        JsonNode integration = api.get("/v1/programs/" + shop.programId() + "/integrations/stripe")
                .json();
        assertThat(integration.at("/lastError/stripeEventId").asText()).isEqualTo("evt_euro");
        assertThat(integration.at("/lastError/message").asText()).contains("EUR", "USD");
        JsonNode listed = api.get("/v1/programs/" + shop.programId() + "/integrations/stripe/events?outcome=failed")
                .expect(200)
                .json()
                .get("items");
        assertThat(listed).singleElement().satisfies(item -> assertThat(
                        item.get("stripeEventId").asText())
                .isEqualTo("evt_euro"));
    }

    @Test
    void aTypeClickledgerDoesNotMapIsStoredAsIgnored() {
        Shop shop = shop("USD");

        JsonNode answer = deliver(
                shop,
                event(
                        "evt_customer",
                        "customer.created",
                        START,
                        Json.MAPPER.createObjectNode().put("id", "cus_new").put("object", "customer")));

        assertThat(answer.get("outcome").asText()).isEqualTo("ignored");
        assertThat(storedStripeEvents(shop.programId())).isEqualTo(1);
    }

    // ---- out of order --------------------------------------------------------------------------

    private static void assertSameEndState(Shop inOrder, Shop outOfOrder) {
        assertThat(ledgerState(outOfOrder.programId()))
                .isEqualTo(ledgerState(inOrder.programId()))
                .isNotEmpty();
        assertThat(eventState(outOfOrder.programId())).isEqualTo(eventState(inOrder.programId()));
    }

    @Test
    void aRefundBeforeItsInvoiceEndsAsInOrder() {
        Shop inOrder = shop("USD");
        Shop outOfOrder = shop("USD");
        String first = paidInvoice("in_early", "cus_early", "sub_early", "subscription_create", START);
        String refunded = event(
                "evt_early_refund",
                "charge.refunded",
                START.plus(Duration.ofDays(2)),
                charge("ch_in_early", "pi_in_early", "in_early", 4900, 2000, "usd"));

        for (Shop shop : List.of(inOrder, outOfOrder)) {
            deliver(shop, subscriptionCheckout("early_refund", "cus_early", shop.cref(), "sub_early"));
        }
        deliver(inOrder, first);
        deliver(inOrder, refunded);
        JsonNode held = deliver(outOfOrder, refunded);
        deliver(outOfOrder, first);

        assertThat(held.get("outcome").asText()).isEqualTo("held");
        assertSameEndState(inOrder, outOfOrder);
        assertThat(ledgerState(outOfOrder.programId())).anyMatch(line -> line.contains("reversal -600"));
        JsonNode replayed = api.get("/v1/programs/" + outOfOrder.programId() + "/integrations/stripe/events")
                .json()
                .get("items");
        assertThat(replayed).noneMatch(item -> item.get("outcome").asText().equals("held"));
    }

    @Test
    void anInvoiceAndRefundBeforeTheCheckoutThatIdentifiesTheCustomerEndAsInOrder() {
        Shop inOrder = shop("USD");
        Shop outOfOrder = shop("USD");
        String first = paidInvoice("in_late_checkout", "cus_late", "sub_late", "subscription_create", START);
        String renewal = paidInvoice(
                "in_late_renewal", "cus_late", "sub_late", "subscription_cycle", START.plus(Duration.ofDays(30)));
        String refunded = event(
                "evt_late_refund",
                "refund.created",
                START.plus(Duration.ofDays(31)),
                refund("re_late", "ch_in_late_renewal", "pi_in_late_renewal", 1000, "usd"));

        deliver(inOrder, subscriptionCheckout("late_a", "cus_late", inOrder.cref(), "sub_late"));
        for (String payload : List.of(first, renewal, refunded)) {
            deliver(inOrder, payload);
        }
        for (String payload : List.of(renewal, refunded, first)) {
            deliver(outOfOrder, payload);
        }
        assertThat(eventState(outOfOrder.programId())).allMatch(line -> line.contains("no_identity"));
        deliver(outOfOrder, subscriptionCheckout("late_b", "cus_late", outOfOrder.cref(), "sub_late"));

        assertSameEndState(inOrder, outOfOrder);
        assertThat(ledgerState(outOfOrder.programId()))
                .extracting(line -> line.split(" ")[0] + " " + line.split(" ")[2])
                .containsExactly("in_late_checkout 1470", "in_late_renewal 490", "in_late_renewal -100");
    }

    @Test
    void aDisputeBeforeTheCheckoutThatIdentifiesTheCustomerHoldsTheCommissionOnceAttributed() {
        Shop inOrder = shop("USD");
        Shop outOfOrder = shop("USD");
        String first = paidInvoice("in_disputed_early", "cus_disputed", "sub_disputed", "subscription_create", START);
        String opened = event(
                "evt_dp_early",
                "charge.dispute.created",
                START.plus(Duration.ofDays(3)),
                dispute("dp_early", "ch_in_disputed_early", "pi_in_disputed_early", 4900, "usd", "needs_response"));

        deliver(inOrder, subscriptionCheckout("disputed_a", "cus_disputed", inOrder.cref(), "sub_disputed"));
        deliver(inOrder, first);
        deliver(inOrder, opened);
        deliver(outOfOrder, first);
        deliver(outOfOrder, opened);
        deliver(outOfOrder, subscriptionCheckout("disputed_b", "cus_disputed", outOfOrder.cref(), "sub_disputed"));

        assertSameEndState(inOrder, outOfOrder);
        assertThat(ledgerState(outOfOrder.programId()))
                .singleElement()
                .asString()
                .contains("commission 1470 pending dispute:dp_early");
    }

    @Test
    void aRenewalBeforeTheFirstInvoiceWaitsForIt() {
        Shop inOrder = shop("USD");
        Shop outOfOrder = shop("USD");
        String first = paidInvoice("in_wait_first", "cus_wait", "sub_wait", "subscription_create", START);
        String renewal = paidInvoice(
                "in_wait_renewal", "cus_wait", "sub_wait", "subscription_cycle", START.plus(Duration.ofDays(30)));

        deliver(inOrder, subscriptionCheckout("wait_a", "cus_wait", inOrder.cref(), "sub_wait"));
        deliver(inOrder, first);
        deliver(inOrder, renewal);
        deliver(outOfOrder, subscriptionCheckout("wait_b", "cus_wait", outOfOrder.cref(), "sub_wait"));
        JsonNode held = deliver(outOfOrder, renewal);
        deliver(outOfOrder, first);

        assertThat(held.get("outcome").asText()).isEqualTo("held");
        assertSameEndState(inOrder, outOfOrder);
        // The first paid invoice earned the first-payment rule, whatever order they came in.
        assertThat(ledgerState(outOfOrder.programId()))
                .anyMatch(line -> line.startsWith("in_wait_first commission 1470"));
    }

    // ---- disputes ----------------------------------------------------------------------------------

    private static Shop paidOnce(String id) {
        Shop shop = shop("USD");
        var session = checkoutSession("cs_" + id, "payment", "cus_" + id, shop.cref(), 10_000, "usd")
                .put("payment_intent", "pi_" + id);
        deliver(shop, event("evt_" + id, "checkout.session.completed", START, session));
        return shop;
    }

    @Test
    void aDisputeHoldsTheCommissionAndLosingItReversesIt() {
        Shop shop = paidOnce("dispute_lost");
        api.post(
                        "/v1/commissions/bulk",
                        "{\"action\":\"approve\",\"ids\":[\"%s\"]}"
                                .formatted(api.get("/v1/commissions?programId=" + shop.programId())
                                        .json()
                                        .at("/items/0/id")
                                        .asText()))
                .expect(200);

        deliver(
                shop,
                event(
                        "evt_dp_lost_open",
                        "charge.dispute.created",
                        START.plus(Duration.ofDays(5)),
                        dispute("dp_lost", "ch_dispute_lost", "pi_dispute_lost", 10_000, "usd", "needs_response")));
        assertThat(ledgerState(shop.programId()))
                .singleElement()
                .asString()
                .contains("commission 3000 pending dispute:dp_lost");
        // Held: the auto-approval job passes it by although its hold ended long ago.
        api.app().approval().runOnce();
        assertThat(ledgerState(shop.programId()))
                .singleElement()
                .asString()
                .contains("commission 3000 pending dispute:dp_lost");

        deliver(
                shop,
                event(
                        "evt_dp_lost_closed",
                        "charge.dispute.closed",
                        START.plus(Duration.ofDays(40)),
                        dispute("dp_lost", "ch_dispute_lost", "pi_dispute_lost", 10_000, "usd", "lost")));
        assertThat(ledgerState(shop.programId()))
                .extracting(line -> line.split(" ")[1] + " " + line.split(" ")[2] + " " + line.split(" ")[3] + " "
                        + line.split(" ")[4])
                .containsExactly("commission 3000 reversed -", "reversal -3000 reversed -");
    }

    @Test
    void winningADisputeReleasesTheCommission() {
        Shop shop = paidOnce("dispute_won");

        deliver(
                shop,
                event(
                        "evt_dp_won_open",
                        "charge.dispute.created",
                        START.plus(Duration.ofDays(5)),
                        dispute("dp_won", "ch_dispute_won", "pi_dispute_won", 10_000, "usd", "needs_response")));
        deliver(
                shop,
                event(
                        "evt_dp_won_closed",
                        "charge.dispute.closed",
                        START.plus(Duration.ofDays(20)),
                        dispute("dp_won", "ch_dispute_won", "pi_dispute_won", 10_000, "usd", "won")));

        assertThat(ledgerState(shop.programId())).singleElement().asString().contains("commission 3000 pending -");
        assertThat(api.app().approval().runOnce()).isPositive();
        assertThat(ledgerState(shop.programId())).singleElement().asString().contains("commission 3000 approved -");
    }

    @Test
    void aDisputeClosedBeforeItWasOpenedEndsAsInOrder() {
        Shop inOrder = paidOnce("dispute_order_a");
        Shop outOfOrder = paidOnce("dispute_order_b");
        String opened = event(
                "evt_dp_order_open",
                "charge.dispute.created",
                START.plus(Duration.ofDays(5)),
                dispute("dp_order", "ch_x", "pi_dispute_order_%s", 4000, "usd", "needs_response"));
        String closed = event(
                "evt_dp_order_closed",
                "charge.dispute.closed",
                START.plus(Duration.ofDays(9)),
                dispute("dp_order", "ch_x", "pi_dispute_order_%s", 4000, "usd", "lost"));

        deliver(inOrder, opened.formatted("a"));
        deliver(inOrder, closed.formatted("a"));
        deliver(outOfOrder, closed.formatted("b"));
        JsonNode late = deliver(outOfOrder, opened.formatted("b"));

        assertThat(late.get("outcome").asText()).isEqualTo("ignored");
        assertThat(ledgerState(outOfOrder.programId()))
                .isEqualTo(ledgerState(inOrder.programId()).stream()
                        .map(line -> line.replace("pi_dispute_order_a", "pi_dispute_order_b"))
                        .toList())
                .anyMatch(line -> line.contains("reversal -1200 pending -"));
    }

    // ---- the admin side ------------------------------------------------------------------------

    @Test
    void sendTestPostsASignedSampleToItselfAndListsIt() {
        Shop shop = shop("USD");
        String base = "/v1/programs/" + shop.programId() + "/integrations/stripe";

        JsonNode result = api.post(base + "/test", null).expect(200).json();

        assertThat(result.get("status").asInt()).isEqualTo(200);
        assertThat(result.get("outcome").asText()).isEqualTo("test");
        JsonNode items = api.get(base + "/events").expect(200).json().get("items");
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.get("stripeEventId").asText())
                    .isEqualTo(result.get("stripeEventId").asText());
            assertThat(item.get("outcome").asText()).isEqualTo("test");
        });
        assertThat(api.get(base).json().get("lastEventAt").isNull()).isFalse();
        api.post(
                        "/v1/programs/"
                                + shop("USD", TestApi.unique("unconnected-"), false)
                                        .programId() + "/integrations/stripe/test",
                        null)
                .expect(404);
    }

    @Test
    void theEventsListPagesNewestFirstAndFiltersByOutcome() {
        Shop shop = shop("USD");
        for (int i = 0; i < 3; i++) {
            deliver(
                    shop,
                    event(
                            "evt_list_" + i,
                            "customer.updated",
                            START,
                            Json.MAPPER.createObjectNode().put("id", "cus_list")));
        }
        String base = "/v1/programs/" + shop.programId() + "/integrations/stripe/events";

        JsonNode page = api.get(base + "?limit=2").expect(200).json();
        JsonNode rest = api.get(
                        base + "?limit=2&cursor=" + page.get("nextCursor").asText())
                .expect(200)
                .json();

        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("stripeEventId").asText()));
        rest.get("items").forEach(item -> ids.add(item.get("stripeEventId").asText()));
        assertThat(ids).containsExactly("evt_list_2", "evt_list_1", "evt_list_0");
        assertThat(api.get(base + "?outcome=processed").json().get("items")).isEmpty();
        assertThat(api.get(base + "?outcome=lost").status()).isEqualTo(400);
    }

    @Test
    void openPartnersWebhookPathRecordsIntoTheDefaultProgram() {
        Shop shop = shop("USD", COMPAT_SLUG, true);
        var session = checkoutSession("cs_compat", "payment", "cus_compat", shop.cref(), 2000, "usd")
                .put("payment_intent", "pi_compat");
        String payload = event("evt_compat", "checkout.session.completed", START, session);

        stripe.post("/webhooks/stripe", payload, stripe.signedNow(payload)).expect(200);
        TestApi.Response unsigned = stripe.post("/webhooks/stripe", payload, null);

        assertThat(eventState(shop.programId())).containsExactly("pi_compat 2000 attributed refunded 0");
        assertThat(unsigned.status()).isEqualTo(400);
        assertThat(api.get("/v1/programs/" + shop.programId() + "/integrations/stripe")
                        .json()
                        .get("compatWebhookUrl")
                        .asText())
                .isEqualTo("http://localhost:4601/webhooks/stripe");
    }

    @Test
    void onlyAdminKeysReachTheIntegrationRoutes() {
        Shop shop = shop("USD");
        String secretKey = api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"secret\",\"programId\":\"%s\",\"name\":\"server\"}".formatted(shop.programId()))
                .expect(201)
                .json()
                .get("key")
                .asText();
        String base = "/v1/programs/" + shop.programId() + "/integrations/stripe";

        assertThat(api.send("GET", base, null, secretKey).status()).isEqualTo(403);
        assertThat(api.send("GET", base + "/events", null, secretKey).status()).isEqualTo(403);
        assertThat(api.send("GET", base, null, null).status()).isEqualTo(401);
    }
}
