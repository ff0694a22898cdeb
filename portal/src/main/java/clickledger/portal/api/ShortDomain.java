package clickledger.portal.api;

import java.time.Instant;

/** A program's custom short domain ({@code /v1/domains}); {@code cookieDomain} null means a host-only cookie. */
public record ShortDomain(
        String id,
        String programId,
        String hostname,
        boolean dedicated,
        boolean primary,
        String cookieDomain,
        Instant createdAt) {}
