package clickledger.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ApiApp;
import clickledger.api.TestApi;
import clickledger.api.program.ProgramId;
import clickledger.common.metrics.Metrics;
import clickledger.web.WebApp;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard the SDK routes call ({@link Access#sdkProgram}), behind the same authentication and
 * route table as the api, on stand-in {@code POST /v1/identify} and {@code POST /v1/events} routes
 * that answer with the program the call would act in.
 */
class AuthzSdkGuardTest {
    private static TestApi api;
    private static Javalin sdk;
    private static String programA;
    private static String programB;
    private static String secretA;
    private static String publishableA;
    private static String partnerKey;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        programA = api.createProgram();
        programB = api.createProgram();
        secretA = Keys.key(api, "secret", programA, null);
        publishableA = Keys.key(api, "publishable", programA, null);
        partnerKey = Keys.key(api, "partner", null, api.createPartner());
        ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(
                TestApi.ADMIN_KEY, new ApiKeyRepository(api.dsl()), api.app().keyUsage());
        sdk = WebApp.create(
                        "sdk-guard-test",
                        Metrics.newRegistry("sdk-guard-test"),
                        () -> true,
                        ApiApp.MAX_BODY_BYTES,
                        routes -> {
                            routes.before("/v1/*", new Authenticate(authenticator));
                            routes.beforeMatched("/v1/*", new RouteAccess());
                            routes.post("/v1/identify", ctx -> answer(ctx, Scope.IDENTIFY));
                            routes.post("/v1/events", ctx -> answer(ctx, Scope.EVENTS));
                        })
                .start(0);
    }

    @AfterAll
    static void stop() {
        sdk.stop();
        api.close();
    }

    private static void answer(Context ctx, Scope scope) {
        String requested = ctx.queryParam("programId");
        ProgramId programId =
                Access.sdkProgram(ctx, scope, requested == null ? null : ProgramId.parse("programId", requested));
        ctx.json(Map.of(
                "programId", programId.toString(), "actor", Principal.of(ctx).actor()));
    }

    private static TestApi.Response post(String path, String key) {
        return api.send(HttpRequest.newBuilder(URI.create("http://localhost:" + sdk.port() + path))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    }

    @Test
    void secretKeyIdentifiesAndPostsEventsInItsOwnProgram() {
        assertThat(post("/v1/identify", secretA)
                        .expect(200)
                        .json()
                        .get("programId")
                        .asText())
                .isEqualTo(programA);
        assertThat(post("/v1/events", secretA)
                        .expect(200)
                        .json()
                        .get("programId")
                        .asText())
                .isEqualTo(programA);
        assertThat(post("/v1/events?programId=" + programA, secretA).status()).isEqualTo(200);
    }

    @Test
    void publishableKeyIdentifiesButCannotPostEvents() {
        assertThat(post("/v1/identify", publishableA)
                        .expect(200)
                        .json()
                        .get("programId")
                        .asText())
                .isEqualTo(programA);

        TestApi.Response events = post("/v1/events", publishableA);

        assertThat(events.status()).isEqualTo(403);
        assertThat(events.header("Content-Type")).startsWith("application/problem+json");
        assertThat(events.json().get("detail").asText())
                .contains("needs an admin or secret key")
                .contains("publishable key");
    }

    @Test
    void programKeyNamingAnotherProgramGets404() {
        assertThat(post("/v1/events?programId=" + programB, secretA).status()).isEqualTo(404);
        assertThat(post("/v1/identify?programId=" + programB, publishableA).status())
                .isEqualTo(404);
    }

    @Test
    void adminKeyMustNameTheProgram() {
        TestApi.Response without = post("/v1/events", TestApi.ADMIN_KEY);

        assertThat(without.status()).isEqualTo(400);
        assertThat(without.errorFields()).containsExactly("programId");
        assertThat(post("/v1/events?programId=" + programB, TestApi.ADMIN_KEY)
                        .expect(200)
                        .json()
                        .get("programId")
                        .asText())
                .isEqualTo(programB);
    }

    @Test
    void partnerKeyIsRefusedBothSdkCalls() {
        assertThat(post("/v1/identify", partnerKey).status()).isEqualTo(403);
        assertThat(post("/v1/events", partnerKey).status()).isEqualTo(403);
    }

    @Test
    void scopesSayWhichKindsMayCallThem() {
        assertThat(Scope.IDENTIFY.allows(Principal.Kind.PUBLISHABLE)).isTrue();
        assertThat(Scope.EVENTS.allows(Principal.Kind.PUBLISHABLE)).isFalse();
        assertThat(Scope.EVENTS.allows(Principal.Kind.SECRET)).isTrue();
        assertThat(Scope.IDENTIFY.allows(Principal.Kind.PARTNER)).isFalse();
        assertThat(Scope.EVENTS.allows(Principal.Kind.ADMIN)).isTrue();
    }
}
