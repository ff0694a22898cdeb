package clickledger.portal.api;

import java.time.Instant;

/** {@code GET /v1/stats/live}: today's clicks, from a value the api refreshes once per interval. */
public record LiveStats(String programId, long clicksToday, Long clicksLastHour, Instant asOf) {}
