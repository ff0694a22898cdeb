package clickledger.portal.api;

import java.time.Instant;

public record Admin(String id, String email, String name, Instant createdAt, Instant lastLoginAt) {}
