package clickledger.portal.api;

import java.time.Instant;

/** Who a password reset or email change link is for, and until when it works. */
public record TokenLink(String email, Instant expiresAt) {}
