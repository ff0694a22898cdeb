package clickledger.api.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.net.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * clickledger's Stripe-Signature check against Stripe's own {@code Webhook.Signature.verifyHeader}
 * (stripe-java, with its 300-second tolerance and a fixed clock): on every header below both
 * accept, or both refuse. Stripe's library throws a runtime exception, not its
 * SignatureVerificationException, for some malformed headers; a throw of any kind is a refusal.
 */
class StripeSignatureTest {
    private static final String SECRET = "whsec_test_0123456789abcdefghijklmnopqrstuv";
    private static final String OTHER = "whsec_other_0123456789abcdefghijklmnopqrstu";
    private static final long NOW = 1_900_000_000L;
    private static final String BODY = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\"}";

    private static String v1(String secret, long t, String body) {
        try {
            return Webhook.Util.computeHmacSha256(secret, t + "." + body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean stripeAccepts(String header, String body) {
        try {
            return Webhook.Signature.verifyHeader(
                    body,
                    header,
                    SECRET,
                    StripeSignature.TOLERANCE_SECONDS,
                    Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean weAccept(String header, String body) {
        return StripeSignature.check(header, body.getBytes(StandardCharsets.UTF_8), SECRET, NOW)
                .isEmpty();
    }

    @Test
    void acceptsAndRefusesExactlyWhatStripeJavaDoes() {
        String good = v1(SECRET, NOW, BODY);
        List<String> headers = new ArrayList<>(List.of(
                "t=" + NOW + ",v1=" + good,
                "t=" + NOW + ",v1=" + v1(OTHER, NOW, BODY) + ",v1=" + good,
                "t=" + NOW + ",v0=" + good,
                "t=" + NOW + ",v1=" + v1(OTHER, NOW, BODY),
                "t=" + NOW + ",v1=" + good.toUpperCase(java.util.Locale.ROOT),
                "t=" + NOW + ",v1=",
                "t=" + NOW,
                "v1=" + good,
                "t=abc,v1=" + good,
                "t,v1=" + good,
                "t=0,v1=" + v1(SECRET, 0, BODY),
                "t=-5,v1=" + v1(SECRET, -5, BODY),
                "t=" + (NOW - 300) + ",v1=" + v1(SECRET, NOW - 300, BODY),
                "t=" + (NOW - 301) + ",v1=" + v1(SECRET, NOW - 301, BODY),
                "t=" + (NOW + 3600) + ",v1=" + v1(SECRET, NOW + 3600, BODY),
                "t=" + NOW + ",t=" + (NOW - 1) + ",v1=" + good,
                "t=" + (NOW - 1) + ",t=" + NOW + ",v1=" + good,
                "v1=" + good + ",t=" + NOW,
                " t=" + NOW + ",v1=" + good,
                "t=" + NOW + ", v1=" + good,
                "t=" + NOW + ",v1=" + good + ",",
                "t=0" + NOW + ",v1=" + good,
                "t=" + NOW + ",v1=" + v1(SECRET, NOW, BODY + " "),
                ",,,",
                ""));
        int accepted = 0;
        for (String header : headers) {
            boolean stripe = stripeAccepts(header, BODY);
            assertThat(weAccept(header, BODY)).as("header %s", header).isEqualTo(stripe);
            accepted += stripe ? 1 : 0;
        }
        // Both ways are exercised, so agreement is not the agreement of two checks that refuse everything.
        assertThat(accepted).isBetween(5, headers.size() - 10);
    }

    @Test
    void aTamperedBodyIsRefusedByBoth() {
        String header = "t=" + NOW + ",v1=" + v1(SECRET, NOW, BODY);
        String tampered = BODY.replace("invoice.paid", "invoice.paie");

        assertThat(stripeAccepts(header, tampered)).isFalse();
        assertThat(weAccept(header, tampered)).isFalse();
        assertThat(weAccept(header, BODY)).isTrue();
    }

    @Test
    void theHeaderWeSignWithIsOneStripeAccepts() {
        String header = StripeSignature.header(SECRET, NOW, BODY.getBytes(StandardCharsets.UTF_8));

        assertThat(stripeAccepts(header, BODY)).isTrue();
    }

    @Test
    void refusalsSayWhyWithoutTheSecret() {
        String stale = "t=" + (NOW - 301) + ",v1=" + v1(SECRET, NOW - 301, BODY);

        assertThat(StripeSignature.check(stale, BODY.getBytes(StandardCharsets.UTF_8), SECRET, NOW))
                .get()
                .asString()
                .contains("300 seconds old")
                .doesNotContain(SECRET);
        assertThat(StripeSignature.check(null, BODY.getBytes(StandardCharsets.UTF_8), SECRET, NOW))
                .contains("is missing");
    }
}
