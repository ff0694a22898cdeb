package clickledger.api.event;

import java.util.UUID;

/**
 * Records one event as {@code POST /v1/events} answers it: {@link EventService}, one transaction
 * per event, or {@link EventGroupCommit}, one per group of concurrent events (decision 0030).
 */
public interface EventRecorder {
    EventService.Outcome record(UUID programId, EventRequest request);
}
