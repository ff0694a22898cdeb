package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.ApiKeyAuthenticator;
import clickledger.api.auth.ApiKeyRepository;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Sessions;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.person.InvitationRepository;
import clickledger.api.value.Name;
import clickledger.api.webhook.WebhookEvents;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;

/**
 * Creates, changes and revokes partners; every change is audited, and creation and revocation
 * queue their webhooks, in the same transaction.
 */
public final class PartnerService {
    private final DSLContext dsl;
    private final Clock clock;
    private final WebhookOutbox webhooks;
    private final Sessions sessions;
    private final ApiKeyAuthenticator authenticator;

    /**
     * @param sessions ends the sessions of a revoked partner's people
     * @param authenticator forgets the revoked partner's keys it has cached
     */
    public PartnerService(
            DSLContext dsl, Clock clock, WebhookOutbox webhooks, Sessions sessions, ApiKeyAuthenticator authenticator) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    public Partner create(PartnerCreate request, Principal actor) {
        Instant now = now();
        Partner partner = request.toPartner(PartnerId.newId(now), now);
        return dsl.transactionResult(trx -> insert(trx.dsl(), partner, actor, now));
    }

    /**
     * Creates a partner in the caller's transaction (an invitation or an approved application
     * brings one in), audited and announced like {@link #create}.
     */
    public Partner createIn(DSLContext tx, Email email, Name name, PartnerStatus status, Principal actor, Instant now) {
        return insert(tx, new Partner(PartnerId.newId(now), email, name, status, now), actor, now);
    }

    private Partner insert(DSLContext tx, Partner partner, Principal actor, Instant now) {
        if (!new PartnerRepository(tx).insert(partner)) {
            throw ApiException.conflict("email_taken", "email: a partner with this email already exists");
        }
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now,
                        actor.actor(),
                        "partner.created",
                        "partner",
                        partner.id().toString(),
                        Map.of()));
        webhooks.publish(
                tx, WebhookEvents.PARTNER_CREATED, partner, partner.id().toString(), now.toEpochMilli());
        return partner;
    }

    public Optional<Partner> find(PartnerId id) {
        return new PartnerRepository(dsl).find(id);
    }

    /** See {@link PartnerRepository#list}. */
    public Page<Partner> list(PartnerStatus status, String query, List<UUID> ids, PageRequest page) {
        return new PartnerRepository(dsl).list(status, query, ids, page);
    }

    /** Empty when there is no such partner. */
    public Optional<Partner> update(PartnerId id, PartnerPatch patch, Set<String> present, Principal actor) {
        return change(id, current -> patch.applyTo(current, present), actor);
    }

    /**
     * Revoking twice is harmless: the second call changes nothing and writes no audit entry.
     * Revoking ends, in the same transaction, every API key of the partner, every session of its
     * people and its pending invitations; its links stop paying as the router hears of the change
     * (the partner row's NOTIFY), while their clicks are still recorded and redirected.
     */
    public Optional<Partner> revoke(PartnerId id, Principal actor) {
        return change(id, current -> current.withStatus(PartnerStatus.REVOKED), actor);
    }

    private Optional<Partner> change(PartnerId id, UnaryOperator<Partner> change, Principal actor) {
        List<String> revokedKeys = new ArrayList<>();
        Optional<Partner> changed = dsl.transactionResult(trx -> {
            PartnerRepository partners = new PartnerRepository(trx.dsl());
            Optional<Partner> current = partners.findForUpdate(id);
            if (current.isEmpty()) {
                return current;
            }
            Partner before = current.get();
            Partner after = change.apply(before);
            if (after.equals(before)) {
                return current;
            }
            Instant now = now();
            partners.update(after, now);
            Map<String, Object> revoked = Map.of();
            if (after.status() == PartnerStatus.REVOKED && before.status() != PartnerStatus.REVOKED) {
                revokedKeys.addAll(new ApiKeyRepository(trx.dsl()).revokeAllOfPartner(id, now));
                int sessionsEnded = sessions.endAllOfPartner(trx.dsl(), id, now);
                int invitations = new InvitationRepository(trx.dsl()).revokePendingOfPartner(id, now);
                revoked = Map.of(
                        "apiKeysRevoked", revokedKeys.size(),
                        "sessionsEnded", sessionsEnded,
                        "invitationsWithdrawn", invitations);
            }
            new AuditRepository(trx.dsl()).append(auditEntry(now, actor, before, after, revoked));
            if (after.status() == PartnerStatus.REVOKED && before.status() != PartnerStatus.REVOKED) {
                webhooks.publish(
                        trx.dsl(),
                        WebhookEvents.PARTNER_REVOKED,
                        after,
                        after.id().toString(),
                        now.toEpochMilli());
            }
            return Optional.of(after);
        });
        // After the commit: a key cached by this process stops working from the next request
        // (other replicas drop theirs within ApiKeyAuthenticator's one-second cache).
        revokedKeys.forEach(authenticator::forget);
        return changed;
    }

    // A status change gets its own action so "who revoked this partner" is one indexed lookup.
    private static AuditEntry auditEntry(
            Instant now, Principal actor, Partner before, Partner after, Map<String, Object> revoked) {
        String action = "partner.updated";
        if (before.status() != after.status()) {
            action = after.status() == PartnerStatus.REVOKED ? "partner.revoked" : "partner.status_changed";
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("previousStatus", before.status().wire());
        details.put("status", after.status().wire());
        details.put("nameChanged", !before.name().equals(after.name()));
        details.putAll(revoked);
        return new AuditEntry(now, actor.actor(), action, "partner", after.id().toString(), details);
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
