package clickledger.api.partner;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.branding.ProgramLogos;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** partner_program: which partners belong to which programs. */
public final class MembershipRepository {
    private final DSLContext dsl;

    public MembershipRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /**
     * Makes the partner an approved member of the program unless a membership already exists; an
     * existing one keeps its status, so a link never silently re-approves a rejected partner.
     *
     * @return true when the membership was created
     */
    public boolean ensureMember(PartnerId partnerId, ProgramId programId, Instant now) {
        return dsl.insertInto(PARTNER_PROGRAM)
                        .set(PARTNER_PROGRAM.PARTNER_ID, partnerId.value())
                        .set(PARTNER_PROGRAM.PROGRAM_ID, programId.value())
                        .set(PARTNER_PROGRAM.STATUS, MembershipStatus.APPROVED.wire())
                        .set(PARTNER_PROGRAM.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                        .set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    /**
     * The partner's standing in the program, share-locked until the transaction ends so a revoke
     * cannot slip between this check and what the caller does because of it.
     */
    public Optional<MembershipStatus> statusForShare(PartnerId partnerId, ProgramId programId) {
        return dsl.select(PARTNER_PROGRAM.STATUS)
                .from(PARTNER_PROGRAM)
                .where(PARTNER_PROGRAM.PARTNER_ID.eq(partnerId.value()))
                .and(PARTNER_PROGRAM.PROGRAM_ID.eq(programId.value()))
                .forShare()
                .fetchOptional(PARTNER_PROGRAM.STATUS)
                .map(MembershipStatus::fromDatabase);
    }

    /**
     * Every program the partner belongs to, in any status, newest program first; by the primary
     * key's leading partner_id.
     *
     * @param only the one program to show, or null for all of them
     */
    public List<ProgramMembership> ofPartner(PartnerId partnerId, ProgramId only) {
        var rows = dsl.select(
                        PROGRAM.ID,
                        PROGRAM.SLUG,
                        PROGRAM.NAME,
                        PROGRAM.CURRENCY,
                        PARTNER_PROGRAM.STATUS,
                        PROGRAM.ALLOW_CUSTOM_SLUGS)
                .from(PARTNER_PROGRAM)
                .join(PROGRAM)
                .on(PROGRAM.ID.eq(PARTNER_PROGRAM.PROGRAM_ID))
                .where(PARTNER_PROGRAM.PARTNER_ID.eq(partnerId.value()))
                .and(only == null ? DSL.noCondition() : PROGRAM.ID.eq(only.value()))
                .orderBy(PROGRAM.ID.desc())
                .fetch();
        // Only the logos of the partner's own programs: the ids come from its memberships.
        Map<UUID, String> logos = ProgramLogos.urls(dsl, rows.getValues(PROGRAM.ID));
        return rows.map(row -> new ProgramMembership(
                new ProgramId(row.value1()),
                new Slug(row.value2()),
                new Name(row.value3()),
                row.value4().strip(),
                MembershipStatus.fromDatabase(row.value5()),
                row.value6(),
                logos.get(row.value1())));
    }
}
