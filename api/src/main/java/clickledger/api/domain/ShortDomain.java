package clickledger.api.domain;

import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import java.time.Instant;

/**
 * A program's custom short domain (docs/decisions/0024): the router answers its links on {@code
 * https://hostname/r/{slug}}, and on the bare {@code https://hostname/{slug}} when it is
 * dedicated. TLS stays the proxy's job (Caddy's on-demand TLS asks the router first).
 *
 * @param primary the program's default: links created without a domain get this one
 * @param cookieDomain the {@code Domain=} of the {@code _cref} cookie set on this host (the host
 *     itself or a parent of it, so the merchant's site can read it); null for a host-only cookie
 */
public record ShortDomain(
        DomainId id,
        ProgramId programId,
        Hostname hostname,
        boolean dedicated,
        boolean primary,
        Hostname cookieDomain,
        Instant createdAt) {
    public ShortDomain {
        requireNonNull(id, "id is null");
        requireNonNull(programId, "programId is null");
        requireNonNull(hostname, "hostname is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** The shareable address of {@code slug} on this domain. */
    public String linkUrl(String slug) {
        return "https://" + hostname.value() + (dedicated ? "/" : "/r/") + slug;
    }
}
