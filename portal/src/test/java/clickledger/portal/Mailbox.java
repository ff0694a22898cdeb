package clickledger.portal;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GreenMail, an SMTP server inside the test JVM, as the api's mail worker sees a real one: the
 * journey reads the invitations and approvals the api sends, and follows their links.
 */
final class Mailbox implements AutoCloseable {
    static final String FROM = "partners@acme.example";

    private final GreenMail server;
    private final int port;

    private Mailbox(GreenMail server, int port) {
        this.server = server;
        this.port = port;
    }

    static Mailbox start() throws IOException {
        int port = PortalStack.freePort();
        GreenMail server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        return new Mailbox(server, port);
    }

    /** The api settings that send here, polling and retrying within a second or two. */
    Map<String, String> apiEnv() {
        return Map.of(
                "SMTP_URL", "smtp://127.0.0.1:" + port,
                "SMTP_STARTTLS", "false",
                "SMTP_FROM", "Acme Partners <" + FROM + ">",
                "SMTP_TIMEOUT_SECONDS", "5",
                "MAIL_POLL_INTERVAL_MS", "100",
                "MAIL_RETRY_BASE_SECONDS", "1",
                "MAIL_RETRY_CAP_SECONDS", "2");
    }

    /** The messages to {@code recipient} so far, oldest first. */
    List<MimeMessage> to(String recipient) {
        List<MimeMessage> found = new ArrayList<>();
        for (MimeMessage message : server.getReceivedMessages()) {
            try {
                for (var address : message.getRecipients(Message.RecipientType.TO)) {
                    if (address.toString().equalsIgnoreCase(recipient)) {
                        found.add(message);
                    }
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return found;
    }

    /**
     * Waits (up to 30 s) for the {@code nth} message (from 1) to {@code recipient} and returns it.
     */
    MimeMessage await(String recipient, int nth) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<MimeMessage> messages = to(recipient);
            if (messages.size() >= nth) {
                return messages.get(nth - 1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no message number " + nth + " to " + recipient + " within 30 s; got " + messages.size());
            }
            Thread.sleep(50);
        }
    }

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text/plain part of a multipart/alternative message (or the body of a plain one). */
    static String text(MimeMessage message) {
        return part(message, "text/plain");
    }

    /** The text/html part of a multipart/alternative message. */
    static String html(MimeMessage message) {
        return part(message, "text/html");
    }

    private static String part(MimeMessage message, String type) {
        try {
            Object content = message.getContent();
            if (content instanceof String plain && type.equals("text/plain")) {
                return plain;
            }
            if (!(content instanceof MimeMultipart multipart)) {
                throw new AssertionError("no " + type + " part");
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                if (part.isMimeType(type)) {
                    return (String) part.getContent();
                }
            }
            throw new AssertionError("no " + type + " part");
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first link in the message's text that starts with {@code prefix}. */
    static String link(MimeMessage message, String prefix) {
        String text = text(message);
        Matcher matcher =
                Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_./-]*").matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no link starting " + prefix + " in:\n" + text);
        }
        return matcher.group();
    }

    @Override
    public void close() {
        server.stop();
    }
}
