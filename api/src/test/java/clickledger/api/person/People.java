package clickledger.api.person;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;

/** Set-up shared by the tests of people and sessions, all through the real api. */
public final class People {
    public static final String PASSWORD = "correct horse battery staple";
    public static final String FIRST_ADMIN = "owner@example.com";

    private People() {}

    public static String installBody(String email, String password) {
        return """
                {"admin":{"name":"Olive Owner","email":"%s","password":"%s"}}"""
                .formatted(email, password);
    }

    /** Installs with a first admin (no program); returns the answer. */
    public static JsonNode install(TestApi api) {
        return api.send("POST", "/v1/install", installBody(FIRST_ADMIN, PASSWORD), null)
                .expect(201)
                .json();
    }

    /** Installs and returns the first admin's session token. */
    public static String installAndSignIn(TestApi api) {
        return install(api).at("/session/token").asText();
    }

    public static TestApi.Response signIn(TestApi api, String email, String password) {
        return api.send(
                "POST", "/v1/sessions", "{\"email\":\"%s\",\"password\":\"%s\"}".formatted(email, password), null);
    }

    /** A new session token for this person. */
    public static String token(TestApi api, String email, String password) {
        return signIn(api, email, password).expect(201).json().get("token").asText();
    }
}
