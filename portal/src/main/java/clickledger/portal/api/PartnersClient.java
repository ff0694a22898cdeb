package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /v1/partners} and the memberships {@code /v1/programs/{programId}/partners/{partnerId}}. */
public final class PartnersClient {
    private final ApiClient api;

    public PartnersClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Partner> list(Caller caller, String query, String status, String cursor, int limit) {
        return api.list(
                caller,
                ApiPath.of("/v1/partners")
                        .param("q", query)
                        .param("status", status)
                        .param("cursor", cursor)
                        .param("limit", limit),
                Partner.class);
    }

    public Partner get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/partners/{id}", id), Partner.class);
    }

    /** Partners by id, in one call per hundred, for labelling rows keyed by partner id. */
    public Map<String, Partner> byIds(Caller caller, List<String> ids) {
        Map<String, Partner> found = new LinkedHashMap<>();
        api.byIds(caller, "/v1/partners", ids, Partner.class).forEach(partner -> found.put(partner.id(), partner));
        return found;
    }

    /** Every program the partner is a member of, with the membership's status and own rules. */
    public List<Membership> memberships(Caller caller, String partnerId) {
        return api.list(caller, ApiPath.of("/v1/partners/{id}/programs", partnerId), Membership.class)
                .items();
    }

    public Partner create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/partners"), body, Partner.class);
    }

    public Partner update(Caller caller, String id, ObjectNode body) {
        return api.patch(caller, ApiPath.of("/v1/partners/{id}", id), body, Partner.class);
    }

    public Partner revoke(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/partners/{id}/revoke", id), null, Partner.class);
    }

    /** The partner's membership of the program, or empty when it is not a member. */
    public Optional<Membership> membership(Caller caller, String programId, String partnerId) {
        try {
            return Optional.of(api.get(
                    caller,
                    ApiPath.of("/v1/programs/{programId}/partners/{partnerId}", programId, partnerId),
                    Membership.class));
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Membership updateMembership(Caller caller, String programId, String partnerId, ObjectNode body) {
        return api.patch(
                caller,
                ApiPath.of("/v1/programs/{programId}/partners/{partnerId}", programId, partnerId),
                body,
                Membership.class);
    }
}
