package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.domain.DomainRepository;
import clickledger.api.domain.ShortDomain;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.MembershipRepository;
import clickledger.api.partner.MembershipStatus;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerId;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.partner.PartnerStatus;
import clickledger.api.program.Program;
import clickledger.api.program.ProgramId;
import clickledger.api.program.ProgramRepository;
import clickledger.api.program.ProgramStatus;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import clickledger.api.webhook.WebhookEvents;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;

/**
 * Creates links, with the partner's program membership in the same transaction, and changes
 * them; every change is audited, and a creation queues its link.created webhook, in the same
 * transaction.
 */
public final class LinkService {
    // Five collisions in a row in a space of 1.5e12 slugs means something other than bad luck.
    static final int SLUG_ATTEMPTS = 5;

    private final DSLContext dsl;
    private final Clock clock;
    private final Supplier<Slug> slugs;
    private final WebhookOutbox webhooks;
    private final String publicRouterUrl;

    /** @param publicRouterUrl the router's public base URL, for the webhook's link {@code url} */
    public LinkService(
            DSLContext dsl, Clock clock, Supplier<Slug> slugs, WebhookOutbox webhooks, String publicRouterUrl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.slugs = requireNonNull(slugs, "slugs is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.publicRouterUrl = requireNonNull(publicRouterUrl, "publicRouterUrl is null");
    }

    public Link create(LinkCreate request, Principal actor) {
        Instant now = now();
        LinkCreate.Valid valid = request.validate(now);
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            Optional<Program> program = new ProgramRepository(tx).find(valid.programId());
            Optional<Partner> partner = new PartnerRepository(tx).find(valid.partnerId());
            FieldErrors errors = new FieldErrors();
            if (program.isEmpty()) {
                errors.add("programId", "no program has this id");
            }
            if (partner.isEmpty()) {
                errors.add("partnerId", "no partner has this id");
            }
            ShortDomain domain = null;
            if (valid.domainId() != null) {
                domain = new DomainRepository(tx)
                        .find(valid.domainId())
                        .filter(found -> found.programId().equals(valid.programId()))
                        .orElse(null);
                if (domain == null) {
                    errors.add("domainId", "no domain of this program has this id");
                }
            }
            errors.throwIfAny();
            if (domain == null) {
                domain = new DomainRepository(tx).primaryOf(valid.programId()).orElse(null);
            }
            if (partner.get().status() == PartnerStatus.REVOKED) {
                throw ApiException.conflict("partner_revoked", "partnerId: the partner is revoked");
            }
            if (program.get().status() == ProgramStatus.ENDED) {
                throw ApiException.conflict("program_ended", "programId: the program has ended");
            }
            boolean joined = new MembershipRepository(tx).ensureMember(valid.partnerId(), valid.programId(), now);
            Link link = insert(new LinkRepository(tx), valid, domain, now);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("slug", link.slug().value());
            details.put("membershipCreated", joined);
            if (domain != null) {
                details.put("domain", domain.hostname().value());
            }
            if (!link.tags().isEmpty()) {
                details.put("tags", link.tags());
            }
            if (link.expiresAt() != null) {
                details.put("expiresAt", link.expiresAt().toString());
            }
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "link.created",
                            "link",
                            link.id().toString(),
                            details));
            webhooks.publish(
                    tx,
                    WebhookEvents.LINK_CREATED,
                    LinkView.of(link, publicRouterUrl),
                    link.id().toString(),
                    now.toEpochMilli());
            return link;
        });
    }

    /**
     * A partner making its own link, in a program where it is an approved member and always on the
     * program's destination host (a partner choosing another host for the merchant's traffic would
     * be an open redirect under the merchant's name). No membership at all is a 404 of the program, so a
     * partner cannot probe which programs exist; a pending, rejected or revoked one is a 403.
     *
     * @param slug null to generate one
     */
    public Link createForPartner(PartnerId partnerId, ProgramId programId, Slug slug, Principal actor) {
        return createForPartner(partnerId, programId, slug, List.of(), null, actor);
    }

    /**
     * As above, with the partner's own tags and, for a deep link, a path on the program's
     * destination host (issue 19): the link then lands there, never on another host.
     *
     * @param tags normalised ({@link LinkTag#parseAll})
     * @param path null for the program's destination; else a path checked by {@link DeepLinkPath}
     */
    public Link createForPartner(
            PartnerId partnerId, ProgramId programId, Slug slug, List<String> tags, String path, Principal actor) {
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            MembershipStatus membership = new MembershipRepository(tx)
                    .statusForShare(partnerId, programId)
                    .orElseThrow(() -> ApiException.notFound("program"));
            if (membership != MembershipStatus.APPROVED) {
                throw ApiException.forbidden(
                        "programId: links need an approved membership in the program; yours is " + membership.wire());
            }
            Partner partner = new PartnerRepository(tx).find(partnerId).orElseThrow();
            if (partner.status() == PartnerStatus.REVOKED) {
                throw ApiException.conflict("partner_revoked", "the partner is revoked");
            }
            Program program = new ProgramRepository(tx).find(programId).orElseThrow();
            if (program.status() == ProgramStatus.ENDED) {
                throw ApiException.conflict("program_ended", "programId: the program has ended");
            }
            // The program's primary domain, if any: a partner does not choose where its links live.
            ShortDomain domain = new DomainRepository(tx).primaryOf(programId).orElse(null);
            DestinationUrl destination = path == null ? null : DeepLinkPath.on(program.destinationUrl(), path);
            Link link = insert(
                    new LinkRepository(tx),
                    new LinkCreate.Valid(programId, partnerId, slug, destination, null, tags, null, null),
                    domain,
                    now);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("slug", link.slug().value());
            details.put("byPartner", true);
            if (path != null) {
                details.put("path", path);
            }
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "link.created",
                            "link",
                            link.id().toString(),
                            details));
            return link;
        });
    }

    public Optional<Link> find(LinkId id) {
        return new LinkRepository(dsl).find(id);
    }

    public Page<Link> list(LinkFilter filter, PageRequest page) {
        return new LinkRepository(dsl).list(filter, page);
    }

    /** Empty when there is no such link. */
    public Optional<Link> update(LinkId id, LinkPatch patch, Set<String> present, Principal actor) {
        return change(id, current -> patch.applyTo(current, present), actor);
    }

    /** Pausing a paused link (or resuming an active one) changes nothing and writes no audit entry. */
    public Optional<Link> setStatus(LinkId id, LinkStatus status, Principal actor) {
        return change(id, current -> current.withStatus(status), actor);
    }

    /** Archiving an archived link (or restoring a listed one) changes nothing and writes no audit entry. */
    public Optional<Link> setArchived(LinkId id, boolean archived, Principal actor) {
        return change(id, current -> current.withArchived(archived), actor);
    }

    /**
     * Deletes a link that never had a click, audited; a link with clicks is a 409 (archive it
     * instead): its clicks, attributions and commissions must keep the link they name. False when
     * there is no such link.
     *
     * <p>The row is locked while the clicks are checked, so no concurrent change slips between.
     * A router still holds the link until the delete's NOTIFY arrives (milliseconds): a click in
     * that window is recorded for a link that is gone, like any click of a deleted link's
     * snapshot; it still carries its program and partner (docs/decisions/0025).
     */
    public boolean delete(LinkId id, Principal actor) {
        return dsl.transactionResult(trx -> {
            LinkRepository links = new LinkRepository(trx.dsl());
            Optional<Link> current = links.findForUpdate(id);
            if (current.isEmpty()) {
                return false;
            }
            Link link = current.get();
            if (links.hasClicks(link)) {
                throw ApiException.conflict(
                        "link_has_clicks", "the link has clicks and cannot be deleted; archive it instead");
            }
            links.delete(id);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("slug", link.slug().value());
            details.put("programId", link.programId().toString());
            details.put("partnerId", link.partnerId().toString());
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(now(), actor.actor(), "link.deleted", "link", id.toString(), details));
            return true;
        });
    }

    // Slugs are unique per domain (V64): the same slug may live on the default host and on a custom domain.
    private Link insert(LinkRepository links, LinkCreate.Valid valid, ShortDomain domain, Instant now) {
        if (valid.slug() != null) {
            Link link = newLink(valid, valid.slug(), domain, now);
            if (!links.insert(link)) {
                throw ApiException.conflict(
                        "slug_taken",
                        "slug: a link with slug \"" + valid.slug() + "\" already exists"
                                + (domain == null ? "" : " on " + domain.hostname()));
            }
            return link;
        }
        for (int attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
            Link link = newLink(valid, slugs.get(), domain, now);
            if (links.insert(link)) {
                return link;
            }
        }
        throw new IllegalStateException("no free link slug after " + SLUG_ATTEMPTS + " attempts");
    }

    private static Link newLink(LinkCreate.Valid valid, Slug slug, ShortDomain domain, Instant now) {
        return new Link(
                LinkId.newId(now),
                slug,
                valid.programId(),
                valid.partnerId(),
                valid.destinationUrl(),
                LinkStatus.ACTIVE,
                now,
                domain,
                valid.tags(),
                valid.expiresAt(),
                valid.expiredUrl(),
                false);
    }

    private Optional<Link> change(LinkId id, UnaryOperator<Link> change, Principal actor) {
        return dsl.transactionResult(trx -> {
            LinkRepository links = new LinkRepository(trx.dsl());
            Optional<Link> current = links.findForUpdate(id);
            if (current.isEmpty()) {
                return current;
            }
            Link before = current.get();
            Link after = change.apply(before);
            if (after.equals(before)) {
                return current;
            }
            Instant now = now();
            links.update(after, now);
            if (!after.tags().equals(before.tags())) {
                links.replaceTags(after, after.tags());
            }
            String action;
            if (before.status() != after.status()) {
                action = "link." + after.status().wire();
            } else if (before.archived() != after.archived()) {
                action = after.archived() ? "link.archived" : "link.unarchived";
            } else {
                action = "link.updated";
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("previousStatus", before.status().wire());
            details.put("status", after.status().wire());
            details.put("destinationChanged", !Objects.equals(before.destinationUrl(), after.destinationUrl()));
            if (!after.tags().equals(before.tags())) {
                details.put("tags", after.tags());
            }
            if (!Objects.equals(before.expiresAt(), after.expiresAt())) {
                // Audit details hold no nulls: "never" says the expiry was lifted.
                details.put(
                        "expiresAt",
                        after.expiresAt() == null ? "never" : after.expiresAt().toString());
            }
            if (!Objects.equals(before.expiredUrl(), after.expiredUrl())) {
                details.put("expiredUrlChanged", true);
            }
            if (before.archived() != after.archived()) {
                details.put("archived", after.archived());
            }
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(now, actor.actor(), action, "link", id.toString(), details));
            return Optional.of(after);
        });
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
