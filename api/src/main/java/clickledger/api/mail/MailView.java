package clickledger.api.mail;

import java.time.Instant;

/**
 * A message as the mail log shows it (never its body: that carries single-use links).
 *
 * @param nextAttemptAt when a pending message goes next; null otherwise
 * @param expiresAt when the links in it stop working, or null
 */
public record MailView(
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
        Instant expiresAt) {}
