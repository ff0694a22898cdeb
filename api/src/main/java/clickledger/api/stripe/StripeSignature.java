package clickledger.api.stripe;

import clickledger.api.webhook.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stripe's {@code Stripe-Signature} header, {@code t=<unix seconds>,v1=<hex>[,v1=…][,v0=…]}: the
 * v1 values are HMAC-SHA256 over {@code t + "." + raw body} keyed by the endpoint's signing secret
 * ({@code whsec_…}, whole, in UTF-8), the scheme clickledger's own webhooks use too.
 *
 * <p>The rules are those of Stripe's {@code Webhook.Signature.verifyHeader} in stripe-java 29:
 * the first {@code t} is the timestamp, any {@code v1} may match (Stripe sends two while a secret
 * is being rolled), other schemes are ignored, and a timestamp more than the tolerance in the past
 * is refused (one in the future is not). StripeSignatureTest holds the two side by side on the
 * same headers. Where stripe-java throws a runtime exception instead of its
 * SignatureVerificationException (a {@code t} that is not a number), this refuses too.
 */
public final class StripeSignature {
    /** Stripe's own default, {@code Webhook.DEFAULT_TOLERANCE}: five minutes. */
    public static final long TOLERANCE_SECONDS = 300;

    private static final String SCHEME = "v1";

    private StripeSignature() {}

    /**
     * Empty when one v1 signature of the header matches the body and the timestamp is within the
     * tolerance of {@code nowSeconds}; else why not, in words fit for a 400 (never the secret).
     */
    public static Optional<String> check(String header, byte[] body, String secret, long nowSeconds) {
        if (header == null || header.isBlank()) {
            return Optional.of("is missing");
        }
        long timestamp = -1;
        boolean timestampSeen = false;
        List<String> signatures = new ArrayList<>();
        for (String item : header.split(",", -1)) {
            String[] pair = item.split("=", 2);
            if (pair[0].equals("t") && !timestampSeen) {
                timestampSeen = true;
                try {
                    timestamp = pair.length == 2 ? Long.parseLong(pair[1]) : -1;
                } catch (NumberFormatException e) {
                    timestamp = -1;
                }
            } else if (pair[0].equals(SCHEME) && pair.length == 2) {
                signatures.add(pair[1]);
            }
        }
        if (timestamp <= 0) {
            return Optional.of("has no valid timestamp (t=…)");
        }
        if (signatures.isEmpty()) {
            return Optional.of("has no v1 signature");
        }
        byte[] expected = WebhookSignature.hmacHex(secret, timestamp, body).getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (String signature : signatures) {
            // Every candidate is compared, in constant time, so timing says nothing about which matched.
            match |= MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
        }
        if (!match) {
            return Optional.of("matches no signature of this body with the program's Stripe signing secret");
        }
        if (timestamp < nowSeconds - TOLERANCE_SECONDS) {
            return Optional.of("timestamp is more than " + TOLERANCE_SECONDS + " seconds old (a replay?)");
        }
        return Optional.empty();
    }

    /** The header Stripe would send for this body at {@code unixSeconds}, for the "send test" sample. */
    public static String header(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + "," + SCHEME + "=" + WebhookSignature.hmacHex(secret, unixSeconds, body);
    }
}
