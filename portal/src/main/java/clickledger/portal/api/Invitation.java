package clickledger.portal.api;

import java.time.Instant;

/** An admin invitation; {@code token} and {@code acceptUrl} only in the answer to create. */
public record Invitation(
        String id, String email, Instant expiresAt, Instant createdAt, String token, String acceptUrl) {}
