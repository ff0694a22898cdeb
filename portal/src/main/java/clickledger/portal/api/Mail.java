package clickledger.portal.api;

import java.time.Instant;

/** One message of the mail outbox, as the delivery log shows it: never its body, which holds single-use links. */
public record Mail(
        String id,
        String kind,
        String to,
        String subject,
        String status,
        int attempts,
        Instant nextAttemptAt,
        String lastError,
        Instant createdAt,
        Instant sentAt,
        Instant expiresAt) {
    public boolean dead() {
        return "dead".equals(status);
    }

    /** Where mail goes ({@code smtp} to {@code host}, or {@code files} in {@code directory}) and how much waits. */
    public record Status(String transport, String from, String host, String directory, long pending, long dead) {
        public boolean smtp() {
            return "smtp".equals(transport);
        }
    }
}
