package clickledger.api.event;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a program's rules needed the partners' history last time: the event path decides before
 * it has read the rules whether to queue the history read with the others. A wrong guess costs one
 * more round trip (rules that came to need history) or one needless read, never a wrong result.
 * Unknown programs get the read.
 */
final class HistoryHints {
    /** Programs remembered: as for {@link ProgramCurrencies#MAX}. */
    static final int MAX = 10_000;

    private final Map<UUID, Boolean> needs = new ConcurrentHashMap<>();

    boolean needs(UUID programId) {
        return needs.getOrDefault(programId, true);
    }

    void remember(UUID programId, boolean history) {
        if (needs.size() >= MAX) {
            needs.clear();
        }
        needs.put(programId, history);
    }
}
