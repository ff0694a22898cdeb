package clickledger.portal.api;

import java.time.Instant;

public record Partner(String id, String email, String name, String status, Instant createdAt) {}
