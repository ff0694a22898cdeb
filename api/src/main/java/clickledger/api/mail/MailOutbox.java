package clickledger.api.mail;

import static clickledger.db.jooq.Tables.MAIL_MESSAGE;
import static java.util.Objects.requireNonNull;

import clickledger.api.secret.SecretBox;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The mail outbox: a change that is worth a mail writes its message in the same transaction as the
 * change itself, so a committed change always gets its mail (the worker sends it later, retrying)
 * and a rolled-back change sends nothing. One row per recipient.
 *
 * <p>The body is sealed with {@link SecretBox} under the message's id: it carries single-use links
 * whose tokens the api otherwise keeps only as hashes, so a database dump alone must not reveal
 * them. The worker drops the body once the message is sent or can no longer be.
 */
public final class MailOutbox {
    private final Clock clock;
    private final SecretBox secrets;

    public MailOutbox(Clock clock, SecretBox secrets) {
        this.clock = requireNonNull(clock, "clock is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    /** The body as sealed: text, HTML and the links (logged when mail goes to files). */
    record Body(String text, String html, java.util.List<String> links) {
        @Override
        public String toString() {
            return "Body[<redacted>]";
        }
    }

    /**
     * Queues one message in the caller's transaction.
     *
     * @param trx the context of the transaction that makes the change ({@code trx.dsl()})
     * @param expiresAt when the links in it stop working (it is not sent after), or null
     * @return the message's id
     */
    public UUID queue(DSLContext trx, String recipient, Rendered message, Instant expiresAt) {
        requireNonNull(trx, "trx is null");
        requireNonNull(recipient, "recipient is null");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        UUID id = Ulid.newUuidV7(now.toEpochMilli());
        trx.insertInto(MAIL_MESSAGE)
                .set(MAIL_MESSAGE.ID, id)
                .set(MAIL_MESSAGE.KIND, message.kind().wire())
                .set(MAIL_MESSAGE.RECIPIENT, recipient)
                .set(MAIL_MESSAGE.SUBJECT, message.subject())
                .set(MAIL_MESSAGE.BODY_ENC, seal(id, new Body(message.text(), message.html(), message.links())))
                .set(MAIL_MESSAGE.NEXT_ATTEMPT_AT, now.atOffset(ZoneOffset.UTC))
                .set(MAIL_MESSAGE.EXPIRES_AT, expiresAt == null ? null : expiresAt.atOffset(ZoneOffset.UTC))
                .set(MAIL_MESSAGE.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                .execute();
        return id;
    }

    private byte[] seal(UUID id, Body body) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("text", body.text()).put("html", body.html());
        body.links().forEach(json.putArray("links")::add);
        try {
            return secrets.seal(Json.MAPPER.writeValueAsString(json), context(id));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mail body is plain JSON", e);
        }
    }

    /** Opens a body sealed by {@link #queue}; throws IllegalStateException when it does not open. */
    Body open(UUID id, byte[] sealed) {
        String json = secrets.open(sealed, context(id));
        try {
            var node = Json.MAPPER.readTree(json);
            java.util.List<String> links = new java.util.ArrayList<>();
            node.path("links").forEach(link -> links.add(link.asText()));
            return new Body(node.path("text").asText(), node.path("html").asText(), links);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a sealed mail body is not JSON", e);
        }
    }

    static String context(UUID id) {
        return "mail_message:" + Ulid.encode(id);
    }
}
