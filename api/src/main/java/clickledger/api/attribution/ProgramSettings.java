package clickledger.api.attribution;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;

import clickledger.api.commission.CommissionRule;
import clickledger.api.program.AttributionModel;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    /** The partner's own rules when it has an override, else the program's. */
    public List<CommissionRule> rulesFor(UUID partnerId) {
        return overrides.getOrDefault(partnerId, rules);
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
