package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;

/** {@code /v1/stats} and {@code /v1/stats/live}. */
public final class StatsClient {
    private final ApiClient api;

    public StatsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** @param limit rows wanted (grouped by partner or link, busiest first); 0 for all */
    public Stats stats(Caller caller, String programId, LocalDate from, LocalDate to, String groupBy, int limit) {
        return api.get(caller, path(programId, from, to, groupBy, limit), Stats.class);
    }

    private static ApiPath path(String programId, LocalDate from, LocalDate to, String groupBy, int limit) {
        return ApiPath.of("/v1/stats")
                .param("programId", programId)
                .param("from", from)
                .param("to", to)
                .param("groupBy", groupBy)
                .param("limit", limit > 0 ? limit : null);
    }

    /**
     * The program's clicks by a click dimension ({@code country}, {@code device}, {@code browser},
     * {@code os}, {@code referrer}, {@code utmSource}, {@code utmCampaign}), the {@code limit}
     * busiest values.
     */
    public Breakdown breakdown(
            Caller caller, String programId, LocalDate from, LocalDate to, String groupBy, int limit) {
        return api.get(caller, path(programId, from, to, groupBy, limit), Breakdown.class);
    }

    public LiveStats live(Caller caller, String programId) {
        return api.get(caller, ApiPath.of("/v1/stats/live").param("programId", programId), LiveStats.class);
    }
}
