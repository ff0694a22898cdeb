package clickledger.api.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.TestApi;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static final SecretBox BOX =
            SecretBox.fromBase64(TestApi.SECRETS_KEY).orElseThrow();
    private static final String SECRET = "whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    @Test
    void sealedSecretOpensWithTheSameKeyAndContext() {
        byte[] sealed = BOX.seal(SECRET, "webhook_endpoint:1");

        assertThat(BOX.open(sealed, "webhook_endpoint:1")).isEqualTo(SECRET);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("abcdefghij");
    }

    @Test
    void everySealIsDifferent() {
        assertThat(BOX.seal(SECRET, "c")).isNotEqualTo(BOX.seal(SECRET, "c"));
    }

    @Test
    void anotherKeyAnotherContextOrATamperedValueDoesNotOpen() {
        byte[] sealed = BOX.seal(SECRET, "webhook_endpoint:1");
        SecretBox otherKey = SecretBox.fromBase64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
                .orElseThrow();
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;

        assertThatThrownBy(() -> otherKey.open(sealed, "webhook_endpoint:1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SECRETS_ENCRYPTION_KEY");
        assertThatThrownBy(() -> BOX.open(sealed, "webhook_endpoint:2")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BOX.open(tampered, "webhook_endpoint:1")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BOX.open(new byte[3], "webhook_endpoint:1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keyMustBeBase64OfThirtyTwoBytes() {
        assertThat(SecretBox.fromBase64("c2hvcnQ=")).isEmpty();
        assertThat(SecretBox.fromBase64("not base64!")).isEmpty();
        assertThat(SecretBox.fromBase64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"))
                .isPresent();
        assertThat(BOX.toString()).doesNotContain(TestApi.SECRETS_KEY);
    }
}
