package clickledger.api.partner;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jooq.DSLContext;

/** partner_program: which partners belong to which programs. */
public final class MembershipRepository {
    private static final String APPROVED = "approved";

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
                        .set(PARTNER_PROGRAM.STATUS, APPROVED)
                        .set(PARTNER_PROGRAM.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                        .set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }
}
