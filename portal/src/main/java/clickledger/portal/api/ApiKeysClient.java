package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code /v1/api-keys}. */
public final class ApiKeysClient {
    private final ApiClient api;

    public ApiKeysClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<ApiKey> list(Caller caller, String cursor) {
        return api.list(caller, ApiPath.of("/v1/api-keys").param("cursor", cursor), ApiKey.class);
    }

    public ApiKey get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/api-keys/{id}", id), ApiKey.class);
    }

    /** The answer carries the key itself, this once. */
    public ApiKey create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/api-keys"), body, ApiKey.class);
    }

    public ApiKey revoke(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/api-keys/{id}/revoke", id), null, ApiKey.class);
    }
}
