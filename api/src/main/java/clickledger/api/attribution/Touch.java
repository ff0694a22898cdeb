package clickledger.api.attribution;

import java.time.Instant;
import java.util.UUID;

/** One click that may earn credit for a conversion: billable, of an active partner, inside the window. */
public record Touch(UUID clickId, Instant clickTs, UUID linkId, UUID partnerId) {}
