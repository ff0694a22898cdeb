package clickledger.api.stripe;

import clickledger.api.TestApi;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.net.Webhook;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;

/**
 * Stripe events as Stripe sends them (the fields clickledger reads, with Stripe's names), signed
 * with Stripe's own library ({@code Webhook.Util.computeHmacSha256}) and posted to the api the
 * way Stripe posts: no key, a {@code Stripe-Signature} header, the raw JSON body.
 */
public final class StripeFixtures {
    public static final String SECRET = "whsec_fixture_5Xq2Yz8wT1uV3rS6pN9mK4jH7gF0dC2b";

    private final TestApi api;

    public StripeFixtures(TestApi api) {
        this.api = api;
    }

    /** Connects the program's Stripe integration with {@link #SECRET}. */
    public void connect(String programId) {
        api.send(
                        "PUT",
                        "/v1/programs/" + programId + "/integrations/stripe",
                        "{\"webhookSecret\":\"" + SECRET + "\"}",
                        TestApi.ADMIN_KEY)
                .expect(201);
    }

    // ---- events ------------------------------------------------------------------------------

    public static String event(String id, String type, Instant created, ObjectNode object) {
        ObjectNode event = Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "event")
                .put("api_version", "2024-06-20")
                .put("created", created.getEpochSecond())
                .put("livemode", false)
                .put("pending_webhooks", 1)
                .put("type", type);
        event.putObject("data").set("object", object);
        event.putObject("request").putNull("id").putNull("idempotency_key");
        return event.toString();
    }

    public static ObjectNode checkoutSession(
            String id, String mode, String customer, String cref, long amountTotal, String currency) {
        ObjectNode session = Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "checkout.session")
                .put("mode", mode)
                .put("customer", customer)
                .put("client_reference_id", cref)
                .put("amount_total", amountTotal)
                .put("currency", currency)
                .put("payment_status", "paid")
                .put("status", "complete");
        session.putObject("metadata");
        return session;
    }

    public static ObjectNode invoice(
            String id,
            String customer,
            String subscription,
            String billingReason,
            long amountPaid,
            String currency,
            Instant paidAt,
            String paymentIntent,
            String charge) {
        ObjectNode invoice = Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "invoice")
                .put("customer", customer)
                .put("subscription", subscription)
                .put("billing_reason", billingReason)
                .put("amount_paid", amountPaid)
                .put("amount_due", amountPaid)
                .put("currency", currency)
                .put("status", "paid")
                .put("payment_intent", paymentIntent)
                .put("charge", charge);
        invoice.putObject("status_transitions").put("paid_at", paidAt.getEpochSecond());
        return invoice;
    }

    public static ObjectNode charge(
            String id, String paymentIntent, String invoice, long amount, long amountRefunded, String currency) {
        return Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "charge")
                .put("payment_intent", paymentIntent)
                .put("invoice", invoice)
                .put("amount", amount)
                .put("amount_refunded", amountRefunded)
                .put("refunded", amount == amountRefunded)
                .put("currency", currency);
    }

    public static ObjectNode refund(String id, String charge, String paymentIntent, long amount, String currency) {
        return Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "refund")
                .put("charge", charge)
                .put("payment_intent", paymentIntent)
                .put("amount", amount)
                .put("currency", currency)
                .put("status", "succeeded");
    }

    public static ObjectNode dispute(
            String id, String charge, String paymentIntent, long amount, String currency, String status) {
        return Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "dispute")
                .put("charge", charge)
                .put("payment_intent", paymentIntent)
                .put("amount", amount)
                .put("currency", currency)
                .put("reason", "fraudulent")
                .put("status", status);
    }

    // ---- signing and delivery ----------------------------------------------------------------

    /** The Stripe-Signature header Stripe would send for {@code payload} at {@code t}. */
    public static String signature(String secret, long t, String payload) {
        try {
            return "t=" + t + ",v1=" + Webhook.Util.computeHmacSha256(secret, t + "." + payload);
        } catch (Exception e) {
            throw new AssertionError("stripe-java cannot sign", e);
        }
    }

    /** Posts a payload signed now (by the api's clock) with {@link #SECRET} to the program's webhook. */
    public TestApi.Response deliver(String programId, String payload) {
        return post("/v1/programs/" + programId + "/integrations/stripe/webhook", payload, signedNow(payload));
    }

    public String signedNow(String payload) {
        return signature(SECRET, api.clock().instant().getEpochSecond(), payload);
    }

    /** @param signature the Stripe-Signature header, or null to send none */
    public TestApi.Response post(String path, String payload, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(payload));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        return api.send(request.build());
    }
}
