package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code /v1/install}: the first admin and the first program, once. */
public final class InstallClient {
    private final ApiClient api;

    public InstallClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public boolean needed(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/install"), JsonNode.class)
                .path("needed")
                .asBoolean(false);
    }

    /** {@code {admin: {...}, program: {...}}}; answers the new admin's session. */
    public Session install(Caller caller, ObjectNode body) {
        JsonNode answer = api.post(caller, ApiPath.of("/v1/install"), body, JsonNode.class);
        return ApiClient.MAPPER.convertValue(answer.get("session"), Session.class);
    }
}
