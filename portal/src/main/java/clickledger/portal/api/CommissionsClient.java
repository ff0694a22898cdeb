package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** {@code /v1/commissions}: the review queue, one commission's detail, approve and reject. */
public final class CommissionsClient {
    private final ApiClient api;

    public CommissionsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** The queue's filters; blank ones are left out of the query. */
    public record Filter(String programId, String partnerId, String status, String eventType, String from, String to) {}

    public ListPage<Commission> list(Caller caller, Filter filter, String cursor, int limit) {
        return api.list(
                caller,
                ApiPath.of("/v1/commissions")
                        .param("programId", filter.programId())
                        .param("partnerId", filter.partnerId())
                        .param("status", filter.status())
                        .param("eventType", filter.eventType())
                        .param("from", filter.from())
                        .param("to", filter.to())
                        .param("cursor", cursor)
                        .param("limit", limit),
                Commission.class);
    }

    public CommissionDetail detail(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/commissions/{id}/detail", id), CommissionDetail.class);
    }

    public Commission approve(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/commissions/{id}/approve", id), null, Commission.class);
    }

    public Commission reject(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/commissions/{id}/reject", id), null, Commission.class);
    }

    /** Approves or rejects many at once; answers the api's summary ({@code updated}, {@code skipped}, …). */
    public JsonNode bulk(Caller caller, String action, List<String> ids) {
        ObjectNode body = ApiClient.object().put("action", action);
        ids.forEach(body.putArray("ids")::add);
        return api.post(caller, ApiPath.of("/v1/commissions/bulk"), body, JsonNode.class);
    }
}
