package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.webhook.WebhookEvents;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

    public PartnerService(DSLContext dsl, Clock clock, WebhookOutbox webhooks) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
    }

    public Partner create(PartnerCreate request, Principal actor) {
        Instant now = now();
        Partner partner = request.toPartner(PartnerId.newId(now), now);
        return dsl.transactionResult(trx -> {
            if (!new PartnerRepository(trx.dsl()).insert(partner)) {
                throw ApiException.conflict("email_taken", "email: a partner with this email already exists");
            }
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "partner.created",
                            "partner",
                            partner.id().toString(),
                            Map.of()));
            webhooks.publish(
                    trx.dsl(),
                    WebhookEvents.PARTNER_CREATED,
                    partner,
                    partner.id().toString(),
                    now.toEpochMilli());
            return partner;
        });
    }

    public Optional<Partner> find(PartnerId id) {
        return new PartnerRepository(dsl).find(id);
    }

    /** @param status null for every status */
    /** See {@link PartnerRepository#list}. */
    public Page<Partner> list(PartnerStatus status, String query, List<UUID> ids, PageRequest page) {
        return new PartnerRepository(dsl).list(status, query, ids, page);
    }

    /** Empty when there is no such partner. */
    public Optional<Partner> update(PartnerId id, PartnerPatch patch, Set<String> present, Principal actor) {
        return change(id, current -> patch.applyTo(current, present), actor);
    }

    /** Revoking twice is harmless: the second call changes nothing and writes no audit entry. */
    public Optional<Partner> revoke(PartnerId id, Principal actor) {
        return change(id, current -> current.withStatus(PartnerStatus.REVOKED), actor);
    }

    private Optional<Partner> change(PartnerId id, UnaryOperator<Partner> change, Principal actor) {
        return dsl.transactionResult(trx -> {
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
            new AuditRepository(trx.dsl()).append(auditEntry(now, actor, before, after));
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
    }

    // A status change gets its own action so "who revoked this partner" is one indexed lookup.
    private static AuditEntry auditEntry(Instant now, Principal actor, Partner before, Partner after) {
        String action = "partner.updated";
        if (before.status() != after.status()) {
            action = after.status() == PartnerStatus.REVOKED ? "partner.revoked" : "partner.status_changed";
        }
        return new AuditEntry(
                now,
                actor.actor(),
                action,
                "partner",
                after.id().toString(),
                Map.of(
                        "previousStatus", before.status().wire(),
                        "status", after.status().wire(),
                        "nameChanged", !before.name().equals(after.name())));
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
