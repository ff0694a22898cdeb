package clickledger.api.payout;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * The payout details of many partners at once: an export looks them up a chunk of rows at a time,
 * never one query per row. Partners without details are absent from the answer; the export lists
 * their rows with an error rather than leaving them out.
 */
@FunctionalInterface
public interface PayoutDetailsLookup {
    Map<UUID, PayoutDetails> forPartners(Collection<UUID> partnerIds);

    /** Until partners can store details (issue 15): every partner lacks them. */
    PayoutDetailsLookup NONE = partnerIds -> Map.of();
}
