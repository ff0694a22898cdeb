package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/** {@code /v1/audit-log}, newest first. */
public final class AuditClient {
    private final ApiClient api;

    public AuditClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public record Filter(String entity, String entityId, String actor, String action, String from, String to) {}

    public ListPage<AuditEntry> list(Caller caller, Filter filter, String cursor, int limit) {
        return api.list(
                caller,
                ApiPath.of("/v1/audit-log")
                        .param("entity", filter.entity())
                        .param("entityId", filter.entityId())
                        .param("actor", filter.actor())
                        .param("action", filter.action())
                        .param("from", filter.from())
                        .param("to", filter.to())
                        .param("cursor", cursor)
                        .param("limit", limit),
                AuditEntry.class);
    }
}
