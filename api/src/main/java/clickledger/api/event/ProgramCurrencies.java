package clickledger.api.event;

import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.util.Currency;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;

/**
 * A program's currency, which no update changes (ProgramPatch keeps it), so an event can check its
 * request's currency and parse its value before the transaction without a query: one lookup per
 * program per process. Programs are never deleted, so a cached program still exists.
 */
final class ProgramCurrencies {
    /**
     * Programs remembered; a deployment has a handful, the bound only caps memory if one has
     * tens of thousands. Clearing when full costs one lookup per program again.
     */
    static final int MAX = 10_000;

    private final DSLContext dsl;
    private final Map<UUID, Currency> known = new ConcurrentHashMap<>();

    ProgramCurrencies(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** The program's currency; 404 when there is no such program. */
    Currency of(UUID programId) {
        Currency currency = known.get(programId);
        if (currency != null) {
            return currency;
        }
        String code = dsl.select(PROGRAM.CURRENCY)
                .from(PROGRAM)
                .where(PROGRAM.ID.eq(programId))
                .fetchOptional(PROGRAM.CURRENCY)
                .orElseThrow(() -> ApiException.notFound("program " + Ulid.encode(programId)));
        currency = Currency.getInstance(code.trim());
        if (known.size() >= MAX) {
            known.clear();
        }
        known.put(programId, currency);
        return currency;
    }
}
