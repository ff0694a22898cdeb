package clickledger.api.admin;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Sessions;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.person.PersonRepository;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/** The admins: list, and remove one (never the last). Invitations are {@link clickledger.api.person.InvitationService}'s. */
public final class AdminService {
    private final DSLContext dsl;
    private final Clock clock;
    private final Sessions sessions;

    public AdminService(DSLContext dsl, Clock clock, Sessions sessions) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    public Page<AdminView> list(PageRequest page) {
        return new PersonRepository(dsl).admins(page).map(AdminView::of);
    }

    /**
     * Removes an admin and ends their sessions at once. Every admin row is locked first, so two
     * admins removing each other at the same moment cannot leave nobody: the second sees one left.
     */
    public void remove(UUID id, Principal actor) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            PersonRepository people = new PersonRepository(tx);
            List<UUID> admins = people.lockAdmins();
            if (!admins.contains(id)) {
                throw ApiException.notFound("admin");
            }
            if (admins.size() == 1) {
                throw ApiException.conflict(
                        "last_admin", "the last admin cannot be removed; invite another admin first");
            }
            people.markRemoved(id, now);
            int ended = sessions.endAllOf(tx, id, null, Sessions.EndReason.PERSON_REMOVED, now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "admin.removed",
                            "person",
                            Ulid.encode(id),
                            Map.of("sessionsEnded", ended)));
        });
    }
}
