package clickledger.api.person;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in is rate-limited per client address and per account. The test client sits behind a
 * trusted proxy (loopback), so X-Forwarded-For plays the part of many addresses.
 */
class SignInLimitsTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of(
                "LOGIN_RATE_LIMIT_PER_MINUTE", "3",
                "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "5",
                "TRUSTED_PROXIES", "127.0.0.1/32,::1/128"));
        People.install(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response signIn(String address, String email, String password) {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/v1/sessions")))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", address)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"%s\",\"password\":\"%s\"}".formatted(email, password)))
                .build());
    }

    private static void assertLimited(TestApi.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(429);
        assertThat(response.json().get("code").asText()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(response.header("Retry-After"))).isPositive();
    }

    @Test
    void oneAddressGetsThreeTriesAMinuteWhateverTheAccount() {
        String address = "203.0.113.10";
        assertThat(signIn(address, "a1@example.com", "wrong-password-1").status())
                .isEqualTo(401);
        assertThat(signIn(address, "a2@example.com", "wrong-password-2").status())
                .isEqualTo(401);
        assertThat(signIn(address, "a3@example.com", "wrong-password-3").status())
                .isEqualTo(401);

        assertLimited(signIn(address, "a4@example.com", "wrong-password-4"));
        // Even the right password waits: the limit comes before the password is looked at.
        assertLimited(signIn(address, People.FIRST_ADMIN, People.PASSWORD));
        assertThat(signIn("203.0.113.11", "a4@example.com", "wrong-password-4").status())
                .isEqualTo(401);
    }

    @Test
    void oneAccountGetsFiveTriesAnHourFromAnyAddressesAndUnknownEmailsAlike() {
        for (String email : new String[] {"target@example.com", People.FIRST_ADMIN.toUpperCase()}) {
            for (int i = 0; i < 5; i++) {
                assertThat(signIn("198.51.100." + (i + 1), email, "wrong-password-x")
                                .status())
                        .isEqualTo(401);
            }
            assertLimited(signIn("198.51.100.99", email, "wrong-password-x"));
        }
        // The address that was refused for the account may still try another account.
        assertThat(signIn("198.51.100.99", "someone-else@example.com", "wrong-password-x")
                        .status())
                .isEqualTo(401);

        api.clock().advance(Duration.ofHours(1));

        assertThat(signIn("198.51.100.100", People.FIRST_ADMIN, People.PASSWORD).status())
                .isEqualTo(201);
    }
}
