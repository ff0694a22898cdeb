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
}
