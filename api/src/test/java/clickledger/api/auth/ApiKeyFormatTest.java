package clickledger.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyFormatTest {
    private final ApiKeyFormat format = new ApiKeyFormat();

    @Test
    void issuedKeysHaveTheKindsTagAPublicIdAndASecret() {
        for (Principal.Kind kind : Principal.Kind.values()) {
            ApiKeyFormat.Issued issued = format.issue(kind);

            assertThat(issued.key()).matches("ck_" + kind.tag() + "_[0-9A-Za-z]{12}_[0-9A-Za-z]{32}");
            assertThat(issued.prefix())
                    .isEqualTo(issued.key().substring(0, issued.key().lastIndexOf('_')));
            assertThat(ApiKeyFormat.prefixOf(issued.key())).isEqualTo(issued.prefix());
            assertThat(ApiKeyFormat.kindOf(issued.key())).isEqualTo(kind);
            assertThat(issued.hash()).isEqualTo(ApiKeyFormat.hash(issued.key())).hasSize(32);
        }
    }

    @Test
    void keysDoNotRepeat() {
        Set<String> keys = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ApiKeyFormat.Issued issued = format.issue(Principal.Kind.SECRET);
            keys.add(issued.key());
            prefixes.add(issued.prefix());
        }

        assertThat(keys).hasSize(1_000);
        assertThat(prefixes).hasSize(1_000);
    }

    @Test
    void textThatIsNotAKeyHasNoPrefix() {
        String key = format.issue(Principal.Kind.PARTNER).key();

        assertThat(ApiKeyFormat.prefixOf(null)).isNull();
        assertThat(ApiKeyFormat.prefixOf("")).isNull();
        assertThat(ApiKeyFormat.prefixOf("test-admin-key-0123456789abcdef")).isNull();
        assertThat(ApiKeyFormat.prefixOf(key + "x")).isNull();
        assertThat(ApiKeyFormat.prefixOf(key.substring(1))).isNull();
        assertThat(ApiKeyFormat.prefixOf(key.replace("ck_ptk_", "ck_xk_"))).isNull();
        assertThat(ApiKeyFormat.prefixOf(key.substring(0, key.length() - 1) + "-"))
                .isNull();
        assertThat(ApiKeyFormat.prefixOf(key.replace('_', '-'))).isNull();
    }

    @Test
    void issuedKeyNeverPrintsItsSecret() {
        ApiKeyFormat.Issued issued = format.issue(Principal.Kind.ADMIN);

        assertThat(issued.toString()).contains(issued.prefix()).doesNotContain(issued.key());
    }
}
