package clickledger.api.attribution;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;

import clickledger.api.commission.CommissionRule;
import clickledger.api.program.AttributionModel;
import clickledger.db.Pipeline;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/** What attribution needs of a program: model, window, holdback, currency, and the rules per partner. */
public record ProgramSettings(
        UUID programId,
        AttributionModel model,
        int lookbackDays,
        int holdbackDays,
        Currency currency,
        List<CommissionRule> rules,
        Map<UUID, List<CommissionRule>> overrides) {

    /**
     * Parsed rule lists by their stored JSON and currency: every event reads its program's rules
     * as text (in the transaction, after the user's lock, so a change applies from the next event
     * on) and parsing them again each time cost more than reading them. Programs keep a handful of
     * rule lists, so the bound only matters for deployments with thousands of programs and
     * overrides; clearing it when full costs a parse each, which is what no cache costs.
     */
    private static final int PARSED_MAX = 10_000;

    private static final Map<String, List<CommissionRule>> PARSED = new ConcurrentHashMap<>();

    /** The partner's own rules when it has an override, else the program's. */
    public List<CommissionRule> rulesFor(UUID partnerId) {
        return overrides.getOrDefault(partnerId, rules);
    }

    /**
     * Whether any rule depends on the partner's earlier conversions with the user (a
     * {@code first} or {@code subsequent} trigger, or a recurring window).
     */
    public boolean needsHistory() {
        return needsHistory(rules) || overrides.values().stream().anyMatch(ProgramSettings::needsHistory);
    }

    private static boolean needsHistory(List<CommissionRule> rules) {
        for (CommissionRule rule : rules) {
            if (rule.trigger() != CommissionRule.Trigger.EVERY || rule.recurringMonths() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The settings from the program's row as text, and the overrides of the partners that matter
     * (their rules as stored JSON).
     */
    public static ProgramSettings of(
            UUID programId,
            String model,
            int lookbackDays,
            int holdbackDays,
            String currencyCode,
            String rules,
            Map<UUID, String> overrides) {
        Currency currency = Currency.getInstance(currencyCode.trim());
        Map<UUID, List<CommissionRule>> parsedOverrides = new HashMap<>();
        overrides.forEach((partnerId, json) -> parsedOverrides.put(partnerId, parsed(json, currency)));
        return new ProgramSettings(
                programId,
                AttributionModel.fromWire("attributionModel", model),
                lookbackDays,
                holdbackDays,
                currency,
                parsed(rules, currency),
                Map.copyOf(parsedOverrides));
    }

    private static List<CommissionRule> parsed(String json, Currency currency) {
        String key = currency.getCurrencyCode() + json;
        List<CommissionRule> rules = PARSED.get(key);
        if (rules != null) {
            return rules;
        }
        try {
            rules = List.copyOf(CommissionRule.parseAll(
                    "commissionRules", json == null ? null : Json.MAPPER.readTree(json), currency));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored commission rules are not JSON", e);
        }
        if (PARSED.size() >= PARSED_MAX) {
            PARSED.clear();
        }
        PARSED.put(key, rules);
        return rules;
    }

    /** The program's row, read on a pipeline; {@link #settings} adds the overrides that matter. */
    public static final class Row {
        private final UUID programId;
        private boolean found;
        private String model;
        private int lookbackDays;
        private int holdbackDays;
        private String currency;
        private String rules;

        private Row(UUID programId) {
            this.programId = programId;
        }

        /** @param overrides the stored override rules (JSON) of the partners whose rules may apply */
        public ProgramSettings settings(Map<UUID, String> overrides) {
            if (!found) {
                throw ApiException.notFound("program " + clickledger.common.id.Ulid.encode(programId));
            }
            return of(programId, model, lookbackDays, holdbackDays, currency, rules, overrides);
        }
    }

    private static final String ROW =
            "select attribution_model, lookback_days, holdback_days, currency, commission_rules::text"
                    + " from program where id = ?::uuid";

    /** Queues the read of the program's settings; overrides come with the user's touches ({@link UserFacts}). */
    public static Row read(Pipeline reads, UUID programId) {
        Row row = new Row(programId);
        reads.query(
                ROW,
                rows -> {
                    if (rows.next()) {
                        row.found = true;
                        row.model = rows.getString(1);
                        row.lookbackDays = rows.getInt(2);
                        row.holdbackDays = rows.getInt(3);
                        row.currency = rows.getString(4);
                        row.rules = rows.getString(5);
                    }
                },
                programId);
        return row;
    }

    public ProgramSettings withModel(AttributionModel other) {
        return new ProgramSettings(programId, other, lookbackDays, holdbackDays, currency, rules, overrides);
    }

    public static ProgramSettings load(DSLContext dsl, UUID programId) {
        var program = dsl.selectFrom(PROGRAM)
                .where(PROGRAM.ID.eq(programId))
                .fetchOptional()
                .orElseThrow(() -> ApiException.notFound("program " + clickledger.common.id.Ulid.encode(programId)));
        Currency currency = Currency.getInstance(program.getCurrency().trim());
        List<CommissionRule> rules =
                CommissionRule.parseAll("commissionRules", read(program.getCommissionRules()), currency);
        Map<UUID, List<CommissionRule>> overrides = new HashMap<>();
        dsl.select(PARTNER_PROGRAM.PARTNER_ID, PARTNER_PROGRAM.COMMISSION_OVERRIDE)
                .from(PARTNER_PROGRAM)
                .where(PARTNER_PROGRAM.PROGRAM_ID.eq(programId).and(PARTNER_PROGRAM.COMMISSION_OVERRIDE.isNotNull()))
                .forEach(r -> overrides.put(
                        r.value1(), CommissionRule.parseAll("commissionRules", read(r.value2()), currency)));
        return new ProgramSettings(
                programId,
                AttributionModel.fromWire("attributionModel", program.getAttributionModel()),
                program.getLookbackDays(),
                program.getHoldbackDays(),
                currency,
                rules,
                Map.copyOf(overrides));
    }

    private static com.fasterxml.jackson.databind.JsonNode read(JSONB json) {
        try {
            return json == null ? null : Json.MAPPER.readTree(json.data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored commission rules are not JSON", e);
        }
    }
}
