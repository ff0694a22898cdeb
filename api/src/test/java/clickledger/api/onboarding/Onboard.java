package clickledger.api.onboarding;

import clickledger.api.TestApi;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Partners brought in the way issue 15 brings them: invited by an admin, then signed in through the link. */
public final class Onboard {
    public static final String PORTAL = "http://localhost:8080";

    private Onboard() {}

    /** A partner who accepted its invitation: its id, email, and the session the acceptance started. */
    public record SignedInPartner(String partnerId, String email, String session) {}

    public static String inviteBody(String email, String... programIds) {
        String ids = Arrays.stream(programIds).map(id -> "\"" + id + "\"").collect(Collectors.joining(","));
        return "{\"email\":\"%s\",\"programIds\":[%s]}".formatted(email, ids);
    }

    /** {@code POST /v1/partner-invitations} with the admin key; the raw answer. */
    public static TestApi.Response invite(TestApi api, String email, String... programIds) {
        return api.post("/v1/partner-invitations", inviteBody(email, programIds));
    }

    public static TestApi.Response accept(TestApi api, String token, String password) {
        return api.send(
                "POST",
                "/v1/partner-invitations/accept",
                "{\"token\":\"%s\",\"name\":\"Pat\",\"password\":\"%s\"}".formatted(token, password),
                null);
    }

    /** A new partner invited to these programs who set its password; signed in. */
    public static SignedInPartner partner(TestApi api, String... programIds) {
        String email = TestApi.unique("pat") + "@example.com";
        JsonNode invited = invite(api, email, programIds).expect(201).json();
        JsonNode session = accept(api, invited.at("/invitation/token").asText(), People.PASSWORD)
                .expect(201)
                .json();
        return new SignedInPartner(
                invited.at("/partner/id").asText(), email, session.get("token").asText());
    }
}
