package clickledger.api.event;

import clickledger.api.auth.Principal;
import java.util.UUID;

/** The program a caller's key is bound to, or null for keys that may act on every program (admin). */
final class ProgramScope {
    private ProgramScope() {}

    static UUID of(Principal principal) {
        return null;
    }
}
