package clickledger.api.person;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.web.ApiException;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    // Small parameters: these tests are about the format, not the cost.
    private static final PasswordHasher HASHER = new PasswordHasher(new PasswordHasher.Cost(1024, 1, 1), 1);

    @Test
    void hashIsAnArgon2idPhcStringThatVerifiesOnlyTheSamePassword() {
        String hash = HASHER.hash("correct horse battery staple");

        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(HASHER.verify("correct horse battery staple", hash)).isTrue();
        assertThat(HASHER.verify("correct horse battery stapl", hash)).isFalse();
        assertThat(HASHER.verify("Correct horse battery staple", hash)).isFalse();
        assertThat(HASHER.hash("correct horse battery staple")).isNotEqualTo(hash);
    }

    @Test
    void aHashWithOtherParametersStillVerifiesAndAsksForARehash() {
        PasswordHasher stronger = new PasswordHasher(new PasswordHasher.Cost(2048, 2, 1), 1);
        String old = HASHER.hash("correct horse battery staple");

        assertThat(stronger.verify("correct horse battery staple", old)).isTrue();
        assertThat(stronger.needsRehash(old)).isTrue();
        assertThat(HASHER.needsRehash(old)).isFalse();
    }

    @Test
    void textThatIsNotOurHashMatchesNothing() {
        for (String stored : new String[] {
            null,
            "",
            "correct horse battery staple",
            "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=1024,t=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA"
        }) {
            assertThat(HASHER.verify("correct horse battery staple", stored))
                    .as(String.valueOf(stored))
                    .isFalse();
        }
    }

    @Test
    void thePolicyWantsTwelveCharactersNotCommonNotTheEmail() {
        assertThat(PasswordPolicy.commonCount()).isGreaterThan(9_000);
        assertThat(PasswordPolicy.isCommon("QWERTY123456")).isTrue();
        assertThat(PasswordPolicy.check("password", "correct horse battery staple", "a@example.com"))
                .isEqualTo("correct horse battery staple");
        assertRefused("eleven char", "password", "at least 12");
        assertRefused("x".repeat(257), "password", "at most 256");
        assertRefused("password1234", "password", "common");
        assertRefused("ADA@example.com", "password", "email");
        assertRefused("", "admin.password", "required");
        // Twelve characters counted as people count them, not as UTF-16 units.
        assertRefused("\uD83D\uDE00".repeat(11), "password", "at least 12");
    }

    private static void assertRefused(String password, String field, String message) {
        assertThatThrownBy(() -> PasswordPolicy.check(field, password, "ada@example.com"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.fieldErrors()).singleElement().satisfies(error -> {
                        assertThat(error.field()).isEqualTo(field);
                        assertThat(error.message()).contains(message);
                        if (!password.isEmpty()) {
                            assertThat(error.message()).doesNotContain(password);
                        }
                    });
                });
    }
}
