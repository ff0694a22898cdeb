package clickledger.api.mail;

import static clickledger.db.jooq.Tables.MAIL_MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.secret.SecretBox;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jooq.impl.DSL;

/**
 * Reads the mail the api queued, without an SMTP server: the newest message to a recipient, its
 * body opened with the test api's SECRETS_ENCRYPTION_KEY (bodies are sealed in the outbox). For
 * tests whose api runs with MAIL_WORKER_ENABLED=false, so messages stay where they were queued.
 */
public final class Mails {
    private Mails() {}

    /** The kinds of every message queued to this recipient, oldest first. */
    public static List<String> kinds(TestApi api, String recipient) {
        return api.dsl()
                .select(MAIL_MESSAGE.KIND)
                .from(MAIL_MESSAGE)
                .where(DSL.lower(MAIL_MESSAGE.RECIPIENT).eq(recipient.toLowerCase(Locale.ROOT)))
                .orderBy(MAIL_MESSAGE.ID)
                .fetch(MAIL_MESSAGE.KIND);
    }

    /** The text part of the newest message of this kind to this recipient. */
    public static String text(TestApi api, String recipient, String kind) {
        var row = api.dsl()
                .select(MAIL_MESSAGE.ID, MAIL_MESSAGE.BODY_ENC)
                .from(MAIL_MESSAGE)
                .where(DSL.lower(MAIL_MESSAGE.RECIPIENT).eq(recipient.toLowerCase(Locale.ROOT)))
                .and(MAIL_MESSAGE.KIND.eq(kind))
                .orderBy(MAIL_MESSAGE.ID.desc())
                .limit(1)
                .fetchOptional()
                .orElseThrow(() -> new AssertionError("no " + kind + " mail to " + recipient));
        UUID id = row.value1();
        assertThat(row.value2()).as("the body of a message not sent yet").isNotNull();
        SecretBox secrets = SecretBox.fromBase64(TestApi.SECRETS_KEY).orElseThrow();
        return new MailOutbox(api.clock(), secrets).open(id, row.value2()).text();
    }

    /** The token at the end of the newest such message's link that starts with {@code prefix}. */
    public static String token(TestApi api, String recipient, String kind, String prefix) {
        String text = text(api, recipient, kind);
        int at = text.indexOf(prefix);
        assertThat(at).as("a link starting " + prefix + " in " + text).isNotNegative();
        int end = at + prefix.length();
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        return text.substring(at + prefix.length(), end);
    }
}
