package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.auth.ApiKeyAuthenticator;
import clickledger.api.auth.ApiKeyRepository;
import clickledger.api.auth.Principal;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void requestWithoutAuthorizationGets401Problem() {
        TestApi.Response response = api.send("GET", "/v1/programs", null, null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.json().get("code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void wrongKeyGets401() {
        assertThat(api.send("GET", "/v1/programs", null, TestApi.ADMIN_KEY + "x")
                        .status())
                .isEqualTo(401);
        assertThat(api.send("GET", "/v1/partners", null, "nope").status()).isEqualTo(401);
    }

    @Test
    void basicSchemeIsNotABearerKey() {
        TestApi.Response response = api.send(HttpRequest.newBuilder(URI.create(api.url("/v1/programs")))
                .header("Authorization", "Basic " + TestApi.ADMIN_KEY)
                .build());

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void nestedRoutesAndWritesNeedTheKeyToo() {
        assertThat(api.send("GET", "/v1/links/01J0000000000000000000000", null, null)
                        .status())
                .isEqualTo(401);
        assertThat(api.send("POST", "/v1/partners", "{\"email\":\"a@example.com\",\"name\":\"A\"}", null)
                        .status())
                .isEqualTo(401);
        assertThat(api.send("GET", "/v1/partners?status=active", null, null).status())
                .isEqualTo(401);
    }

    @Test
    void adminKeyIsAccepted() {
        assertThat(api.get("/v1/programs").status()).isEqualTo(200);
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        TestApi.Response response = api.send(HttpRequest.newBuilder(URI.create(api.url("/v1/programs")))
                .header("Authorization", "bearer " + TestApi.ADMIN_KEY)
                .build());

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void healthReadinessMetricsAndOpenApiNeedNoKey() {
        assertThat(api.send("GET", "/healthz", null, null).status()).isEqualTo(200);
        assertThat(api.send("GET", "/readyz", null, null).status()).isEqualTo(200);
        assertThat(api.send("GET", "/openapi.json", null, null).status()).isEqualTo(200);
        TestApi.Response metrics = api.send("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("hikaricp_connections").contains("service=\"api\"");
    }

    @Test
    void authenticatorNamesTheAdminKeyAsActorNotTheKey() {
        ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(
                TestApi.ADMIN_KEY, new ApiKeyRepository(api.dsl()), api.app().keyUsage());

        assertThat(authenticator.authenticate("Bearer " + TestApi.ADMIN_KEY))
                .get()
                .extracting(Principal::actor)
                .asString()
                .doesNotContain(TestApi.ADMIN_KEY);
        assertThat(authenticator.authenticate("Bearer ")).isEmpty();
        assertThat(authenticator.authenticate(null)).isEmpty();
        assertThat(authenticator.authenticate(TestApi.ADMIN_KEY)).isEmpty();
    }
}
