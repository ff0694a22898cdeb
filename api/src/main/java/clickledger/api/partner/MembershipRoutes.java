package clickledger.api.partner;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.commission.CommissionRule;
import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * {@code PATCH /v1/programs/{programId}/partners/{partnerId}}: a partner's membership of a program,
 * its status (pending, approved, rejected, revoked) and its own commission rules, which replace
 * the program's for that partner ({@code "commissionRules": null} returns to the program's).
 */
public final class MembershipRoutes {
    private static final Set<String> FIELDS = Set.of("status", "commissionRules");
    private static final Set<String> STATUSES = Set.of("pending", "approved", "rejected", "revoked");

    private final DSLContext dsl;
    private final Clock clock;

    public MembershipRoutes(DSLContext dsl, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.patch("/v1/programs/{programId}/partners/{partnerId}", this::patch);
        routes.get(
                "/v1/programs/{programId}/partners/{partnerId}",
                ctx -> ctx.json(view(
                        Ids.parse("programId", ctx.pathParam("programId")),
                        Ids.parse("partnerId", ctx.pathParam("partnerId")))));
        routes.get("/v1/partners/{id}/programs", ctx -> ctx.json(memberships(Ids.parse("id", ctx.pathParam("id")))));
    }

    /**
     * {@code GET /v1/partners/{id}/programs}: every membership of the partner with its status and
     * own rules (null: the program's), newest program first; by partner_program's primary key. All
     * on one page: a partner belongs to a handful of programs.
     */
    private Map<String, Object> memberships(UUID partnerId) {
        if (!dsl.fetchExists(clickledger.db.jooq.Tables.PARTNER, clickledger.db.jooq.Tables.PARTNER.ID.eq(partnerId))) {
            throw ApiException.notFound("partner " + Ulid.encode(partnerId));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        dsl.select(
                        PROGRAM.ID,
                        PROGRAM.SLUG,
                        PROGRAM.NAME,
                        PROGRAM.CURRENCY,
                        PARTNER_PROGRAM.STATUS,
                        PARTNER_PROGRAM.COMMISSION_OVERRIDE)
                .from(PARTNER_PROGRAM)
                .join(PROGRAM)
                .on(PROGRAM.ID.eq(PARTNER_PROGRAM.PROGRAM_ID))
                .where(PARTNER_PROGRAM.PARTNER_ID.eq(partnerId))
                .orderBy(PROGRAM.ID.desc())
                .forEach(row -> {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("programId", Ulid.encode(row.value1()));
                    item.put("partnerId", Ulid.encode(partnerId));
                    item.put("programSlug", row.value2());
                    item.put("programName", row.value3());
                    item.put("currency", row.value4().strip());
                    item.put("status", row.value5());
                    item.put("commissionRules", rules(row.value6()));
                    items.add(item);
                });
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", items);
        page.put("nextCursor", null);
        return page;
    }

    private static JsonNode rules(JSONB override) {
        try {
            return override == null ? null : Json.MAPPER.readTree(override.data());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored override is not JSON", e);
        }
    }

    private void patch(Context ctx) {
        UUID programId = Ids.parse("programId", ctx.pathParam("programId"));
        UUID partnerId = Ids.parse("partnerId", ctx.pathParam("partnerId"));
        JsonNode body = Json.object(ctx, FIELDS);
        String currencyCode = dsl.select(PROGRAM.CURRENCY)
                .from(PROGRAM)
                .where(PROGRAM.ID.eq(programId))
                .fetchOptional(PROGRAM.CURRENCY)
                .orElseThrow(() -> ApiException.notFound("program " + Ulid.encode(programId)));
        JsonNode status = body.get("status");
        if (status != null && (!status.isTextual() || !STATUSES.contains(status.textValue()))) {
            throw ApiException.badRequest("status", "must be one of pending, approved, rejected, revoked");
        }
        JsonNode rules = body.get("commissionRules");
        if (rules != null && !rules.isNull()) {
            CommissionRule.parseAll("commissionRules", rules, Currency.getInstance(currencyCode.trim()));
        }
        Instant now = clock.instant();
        Principal actor = Principal.of(ctx);
        dsl.transaction(configuration -> {
            DSLContext trx = configuration.dsl();
            if (!trx.fetchExists(
                    clickledger.db.jooq.Tables.PARTNER, clickledger.db.jooq.Tables.PARTNER.ID.eq(partnerId))) {
                throw ApiException.notFound("partner " + Ulid.encode(partnerId));
            }
            trx.insertInto(PARTNER_PROGRAM)
                    .set(PARTNER_PROGRAM.PARTNER_ID, partnerId)
                    .set(PARTNER_PROGRAM.PROGRAM_ID, programId)
                    .set(PARTNER_PROGRAM.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                    .set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                    .onConflictDoNothing()
                    .execute();
            var update = trx.update(PARTNER_PROGRAM).set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC));
            if (status != null) {
                update = update.set(PARTNER_PROGRAM.STATUS, status.textValue());
            }
            if (rules != null) {
                update = update.set(
                        PARTNER_PROGRAM.COMMISSION_OVERRIDE, rules.isNull() ? null : JSONB.valueOf(rules.toString()));
            }
            update.where(PARTNER_PROGRAM.PARTNER_ID.eq(partnerId).and(PARTNER_PROGRAM.PROGRAM_ID.eq(programId)))
                    .execute();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("programId", Ulid.encode(programId));
            if (status != null) {
                details.put("status", status.textValue());
            }
            details.put("commissionOverride", rules != null && !rules.isNull());
            new AuditRepository(trx)
                    .append(new AuditEntry(
                            now, actor.actor(), "membership.update", "partner", Ulid.encode(partnerId), details));
        });
        ctx.json(view(programId, partnerId));
    }

    private Map<String, Object> view(UUID programId, UUID partnerId) {
        var row = dsl.selectFrom(PARTNER_PROGRAM)
                .where(PARTNER_PROGRAM.PARTNER_ID.eq(partnerId).and(PARTNER_PROGRAM.PROGRAM_ID.eq(programId)))
                .fetchOptional()
                .orElseThrow(() -> ApiException.notFound("membership"));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", Ulid.encode(programId));
        view.put("partnerId", Ulid.encode(partnerId));
        view.put("status", row.getStatus());
        view.put("commissionRules", rules(row.getCommissionOverride()));
        return view;
    }
}
