package clickledger.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static final byte[] BODY = "{\"id\":\"01J\",\"type\":\"webhook.test\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void secretsAreWhsecAndThirtyTwoRandomBytes() {
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            secrets.add(WebhookSignature.newSecret());
        }

        assertThat(secrets).hasSize(100).allSatisfy(secret -> assertThat(secret).matches("whsec_[A-Za-z0-9_-]{43}"));
    }

    @Test
    void signatureMatchesAnIndependentHmacSha256() {
        // printf '%s' '1894701600.{"id":"01J","type":"webhook.test"}' \
        //   | openssl dgst -sha256 -hmac 'whsec_test' -hex
        String expected = "f90f79810fbf1875b0ed72a1df6095cdc2b7a6513b6655a4a44ae4c03c5d3299";

        assertThat(WebhookSignature.hmacHex("whsec_test", 1894701600L, BODY)).isEqualTo(expected);
        assertThat(WebhookSignature.header(1894701600L, BODY, List.of("whsec_test")))
                .isEqualTo("t=1894701600,v1=" + expected);
    }

    @Test
    void headerCarriesOneSignaturePerSecret() {
        String header = WebhookSignature.header(1894701600L, BODY, List.of("whsec_new", "whsec_old"));

        assertThat(WebhookFixture.v1Signatures(header)).hasSize(2);
        assertThat(WebhookSignature.verify(header, BODY, "whsec_new")).isTrue();
        assertThat(WebhookSignature.verify(header, BODY, "whsec_old")).isTrue();
        assertThat(WebhookSignature.verify(header, BODY, "whsec_other")).isFalse();
        assertThat(WebhookSignature.verify("v1=abc", BODY, "whsec_new")).isFalse();
        assertThat(WebhookSignature.verify("t=x,v1=abc", BODY, "whsec_new")).isFalse();
    }

    @Test
    void aKeptKeySignsEachMessageAfreshAlsoFromManyThreadsAtOnce() throws Exception {
        String expected = "f90f79810fbf1875b0ed72a1df6095cdc2b7a6513b6655a4a44ae4c03c5d3299";
        WebhookSignature.Key key = new WebhookSignature.Key("whsec_test");
        byte[] other = "{\"id\":\"02K\"}".getBytes(StandardCharsets.UTF_8);
        String otherExpected = WebhookSignature.hmacHex("whsec_test", 1894701600L, other);

        // One computation's state must not leak into the next, nor into another thread's.
        assertThat(key.hmacHex(1894701600L, BODY)).isEqualTo(expected);
        assertThat(key.hmacHex(1894701600L, other)).isEqualTo(otherExpected).isNotEqualTo(expected);
        assertThat(key.hmacHex(1894701600L, BODY)).isEqualTo(expected);
        List<java.util.concurrent.Future<Integer>> wrong = new java.util.ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                boolean odd = t % 2 == 1;
                wrong.add(threads.submit(() -> {
                    int mismatches = 0;
                    for (int i = 0; i < 2_000; i++) {
                        String signed = key.hmacHex(1894701600L, odd ? other : BODY);
                        mismatches += signed.equals(odd ? otherExpected : expected) ? 0 : 1;
                    }
                    return mismatches;
                }));
            }
        }
        for (java.util.concurrent.Future<Integer> mismatches : wrong) {
            assertThat(mismatches.get()).isZero();
        }
        assertThat(WebhookSignature.signed(1894701600L, BODY, List.of(key))).isEqualTo("t=1894701600,v1=" + expected);
        assertThat(key.toString()).doesNotContain("whsec_test");
    }
}
