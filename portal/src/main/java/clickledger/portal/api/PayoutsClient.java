package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** {@code /v1/payouts}: preview and create a batch, list, read, export, mark paid, cancel. */
public final class PayoutsClient {
    private final ApiClient api;

    public PayoutsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** A batch's settings as the form has them; blank ones are left out (the api's defaults). */
    public record BatchSpec(String programId, String currency, String minimumAmount, String upTo) {
        ObjectNode body() {
            ObjectNode body = ApiClient.object();
            put(body, "programId", programId);
            put(body, "currency", currency);
            put(body, "minimumAmount", minimumAmount);
            put(body, "upTo", upTo);
            return body;
        }

        private static void put(ObjectNode body, String field, String value) {
            if (value != null && !value.isBlank()) {
                body.put(field, value);
            }
        }
    }

    /** The list's filters; blank ones are left out of the query. */
    public record Filter(String programId, String partnerId, String status, String batchId) {
        ApiPath apply(ApiPath path) {
            return path.param("programId", programId)
                    .param("partnerId", partnerId)
                    .param("status", status)
                    .param("batchId", batchId);
        }
    }

    /** A created batch: its id and the payouts it made. */
    public record Batch(String batchId, List<Payout> items) {
        public Batch {
            items = items == null ? List.of() : List.copyOf(items);
        }
    }

    public PayoutPreview preview(Caller caller, BatchSpec spec) {
        return api.post(caller, ApiPath.of("/v1/payouts/preview"), spec.body(), PayoutPreview.class);
    }

    public Batch create(Caller caller, BatchSpec spec) {
        return api.post(caller, ApiPath.of("/v1/payouts"), spec.body(), Batch.class);
    }

    public ListPage<Payout> list(Caller caller, Filter filter, String cursor, int limit) {
        return api.list(
                caller,
                filter.apply(ApiPath.of("/v1/payouts")).param("cursor", cursor).param("limit", limit),
                Payout.class);
    }

    public Payout get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/payouts/{id}", id), Payout.class);
    }

    /** @param paidAt an ISO instant, or null for now; @param method null when not said */
    public Payout markPaid(Caller caller, String id, String reference, String paidAt, String method) {
        ObjectNode body = ApiClient.object().put("reference", reference);
        if (paidAt != null && !paidAt.isBlank()) {
            body.put("paidAt", paidAt);
        }
        if (method != null && !method.isBlank()) {
            body.put("method", method);
        }
        return api.post(caller, ApiPath.of("/v1/payouts/{id}/mark-paid", id), body, Payout.class);
    }

    public Payout cancel(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/payouts/{id}/cancel", id), (JsonNode) null, Payout.class);
    }

    /**
     * A payment file, streamed from the api: either these payouts ({@code ids}), or those the
     * filter selects. The caller copies it to the browser and closes it.
     */
    public ApiClient.Download export(Caller caller, String format, List<String> ids, Filter filter) {
        ApiPath path = ApiPath.of("/v1/payouts/export").param("format", format);
        if (ids != null && !ids.isEmpty()) {
            path.param("ids", String.join(",", ids));
        } else {
            filter.apply(path);
        }
        return api.download(caller, path);
    }
}
