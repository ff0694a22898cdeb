package clickledger.api.program;

import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.value.AllowedHosts;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;
import clickledger.db.jooq.tables.records.ProgramRecord;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Currency;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** Programs in PostgreSQL. Updates fire the schema's NOTIFY trigger, so routers reload within a second. */
public final class ProgramRepository {
    private final DSLContext dsl;

    public ProgramRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** False when the slug is taken: ON CONFLICT keeps a surrounding transaction usable. */
    public boolean insert(Program program) {
        return dsl.insertInto(PROGRAM)
                        .set(PROGRAM.ID, program.id().value())
                        .set(PROGRAM.SLUG, program.slug().value())
                        .set(PROGRAM.NAME, program.name().value())
                        .set(PROGRAM.DESTINATION_URL, program.destinationUrl().value())
                        .set(PROGRAM.CURRENCY, program.currency().getCurrencyCode())
                        .set(
                                PROGRAM.ATTRIBUTION_MODEL,
                                program.attributionModel().wire())
                        .set(PROGRAM.LOOKBACK_DAYS, program.lookbackDays())
                        .set(PROGRAM.HOLDBACK_DAYS, program.holdbackDays())
                        .set(PROGRAM.COOKIE_DAYS, program.cookieDays())
                        .set(PROGRAM.COMMISSION_RULES, json(program.commissionRules()))
                        .set(PROGRAM.STARTS_AT, offset(program.startsAt()))
                        .set(PROGRAM.ENDS_AT, offset(program.endsAt()))
                        .set(PROGRAM.STATUS, program.status().wire())
                        .set(PROGRAM.ALLOW_CUSTOM_SLUGS, program.allowCustomSlugs())
                        .set(PROGRAM.PAYOUT_MINIMUM_MINOR, program.payoutMinimumMinor())
                        .set(PROGRAM.ALLOWED_HOSTS, program.allowedHosts().stored())
                        .set(PROGRAM.CREATED_AT, offset(program.createdAt()))
                        .set(PROGRAM.UPDATED_AT, offset(program.createdAt()))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public Optional<Program> find(ProgramId id) {
        return dsl.selectFrom(PROGRAM)
                .where(PROGRAM.ID.eq(id.value()))
                .fetchOptional()
                .map(ProgramRepository::toProgram);
    }

    /**
     * The program a setting names by id or by slug (COMPAT_DEFAULT_PROGRAM): an id is tried
     * first, so a slug that happens to look like an id still finds its program when no id matches.
     */
    public Optional<ProgramId> findByReference(String idOrSlug) {
        Optional<java.util.UUID> byId = clickledger.common.id.Ulid.parse(idOrSlug)
                .flatMap(id -> dsl.select(PROGRAM.ID)
                        .from(PROGRAM)
                        .where(PROGRAM.ID.eq(id))
                        .fetchOptional(PROGRAM.ID));
        if (byId.isPresent()) {
            return byId.map(ProgramId::new);
        }
        return dsl.select(PROGRAM.ID)
                .from(PROGRAM)
                .where(PROGRAM.SLUG.eq(idOrSlug))
                .fetchOptional(PROGRAM.ID)
                .map(ProgramId::new);
    }

    /**
     * The program a setting names ({@link #findByReference}); a 404 naming the setting when it
     * names none, since only the operator can fix that.
     */
    public ProgramId findConfigured(String setting, String idOrSlug) {
        return findByReference(idOrSlug)
                .orElseThrow(() -> new clickledger.web.ApiException(
                        404,
                        "program_not_found",
                        "Not found",
                        setting + " \"" + idOrSlug + "\" is neither the id nor the slug of a program",
                        java.util.List.of()));
    }

    /** Locks the row until the transaction ends, so concurrent PATCHes apply one after the other. */
    public Optional<Program> findForUpdate(ProgramId id) {
        return dsl.selectFrom(PROGRAM)
                .where(PROGRAM.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(ProgramRepository::toProgram);
    }

    /** @param only the one program to list, or null for every program */
    public Page<Program> list(ProgramId only, PageRequest page) {
        return Page.of(
                dsl.selectFrom(PROGRAM)
                        .where(page.after(PROGRAM.ID))
                        .and(only == null ? DSL.noCondition() : PROGRAM.ID.eq(only.value()))
                        .orderBy(PROGRAM.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(ProgramRepository::toProgram),
                page,
                program -> program.id().toString());
    }

    /** Writes the fields a PATCH may change. */
    public void update(Program program, Instant updatedAt) {
        dsl.update(PROGRAM)
                .set(PROGRAM.NAME, program.name().value())
                .set(PROGRAM.DESTINATION_URL, program.destinationUrl().value())
                .set(PROGRAM.CURRENCY, program.currency().getCurrencyCode())
                .set(PROGRAM.ATTRIBUTION_MODEL, program.attributionModel().wire())
                .set(PROGRAM.LOOKBACK_DAYS, program.lookbackDays())
                .set(PROGRAM.HOLDBACK_DAYS, program.holdbackDays())
                .set(PROGRAM.COOKIE_DAYS, program.cookieDays())
                .set(PROGRAM.COMMISSION_RULES, json(program.commissionRules()))
                .set(PROGRAM.ENDS_AT, offset(program.endsAt()))
                .set(PROGRAM.STATUS, program.status().wire())
                .set(PROGRAM.ALLOW_CUSTOM_SLUGS, program.allowCustomSlugs())
                .set(PROGRAM.PAYOUT_MINIMUM_MINOR, program.payoutMinimumMinor())
                .set(PROGRAM.ALLOWED_HOSTS, program.allowedHosts().stored())
                .set(PROGRAM.UPDATED_AT, offset(updatedAt))
                .where(PROGRAM.ID.eq(program.id().value()))
                .execute();
    }

    /**
     * Which of these programs have at least one event: one statement for a page of programs, a
     * probe of event_program_ts_idx each.
     */
    public Set<ProgramId> withEvents(Collection<ProgramId> programs) {
        if (programs.isEmpty()) {
            return Set.of();
        }
        UUID[] ids = programs.stream().map(ProgramId::value).toArray(UUID[]::new);
        return new HashSet<>(dsl.fetch(
                        "select p from unnest({0}) as p where exists (select 1 from event e where e.program_id = p)",
                        DSL.val(ids, SQLDataType.UUID.array()))
                .map(row -> new ProgramId(row.get(0, UUID.class))));
    }

    static Program toProgram(ProgramRecord row) {
        return new Program(
                new ProgramId(row.getId()),
                new Slug(row.getSlug()),
                new Name(row.getName()),
                new DestinationUrl(row.getDestinationUrl()),
                Currency.getInstance(row.getCurrency().strip()),
                AttributionModel.valueOf(row.getAttributionModel().toUpperCase(Locale.ROOT)),
                row.getLookbackDays(),
                row.getHoldbackDays(),
                row.getCookieDays(),
                readJson(row.getCommissionRules()),
                instant(row.getStartsAt()),
                instant(row.getEndsAt()),
                ProgramStatus.valueOf(row.getStatus().toUpperCase(Locale.ROOT)),
                row.getAllowCustomSlugs(),
                row.getCreatedAt().toInstant(),
                row.getPayoutMinimumMinor(),
                AllowedHosts.fromStored(row.getAllowedHosts()));
    }

    private static JSONB json(JsonNode node) {
        return JSONB.valueOf(node.toString());
    }

    private static JsonNode readJson(JSONB json) {
        try {
            return Json.MAPPER.readTree(json.data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("program.commission_rules holds invalid JSON", e);
        }
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
