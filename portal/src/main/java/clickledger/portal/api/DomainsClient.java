package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code /v1/domains}: programs' custom short domains, listed, added, changed and removed. */
public final class DomainsClient {
    // A program has a handful of domains; one page of the api's largest size shows them all.
    private static final int PAGE = 200;

    private final ApiClient api;

    public DomainsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** @param programId null for every program's */
    public ListPage<ShortDomain> list(Caller caller, String programId) {
        return api.list(
                caller,
                ApiPath.of("/v1/domains").param("programId", programId).param("limit", PAGE),
                ShortDomain.class);
    }

    public ShortDomain create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/domains"), body, ShortDomain.class);
    }

    public ShortDomain update(Caller caller, String id, ObjectNode body) {
        return api.patch(caller, ApiPath.of("/v1/domains/{id}", id), body, ShortDomain.class);
    }

    public void delete(Caller caller, String id) {
        api.delete(caller, ApiPath.of("/v1/domains/{id}", id));
    }
}
