package clickledger.api.mail;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GreenMail, the in-process SMTP server the mail tests send to, and what they read from messages. */
final class Smtp {
    static final String FROM = "partners@acme.example";

    private Smtp() {}

    /** A port nothing listens on now: the SMTP server is down until {@link #start} is called with it. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An SMTP server that is down: its port is held bound but not listening, so every connection to
     * it is refused at once, and nothing else can take the port meanwhile. A port merely found free
     * is not enough: the api's own listeners could be given it, or the worker's connection its own
     * port as source (a TCP self-connect), and a send would then time out reading a greeting instead
     * of being refused (CI saw "Read timed out" once).
     */
    static final class Down implements AutoCloseable {
        private final Socket held = new Socket();

        Down() {
            try {
                held.bind(new InetSocketAddress("127.0.0.1", 0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int port() {
            return held.getLocalPort();
        }

        /** Brings the server up on the held port. */
        GreenMail start() {
            int port = port();
            close();
            return Smtp.start(port);
        }

        @Override
        public void close() {
            try {
                held.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static GreenMail start(int port) {
        GreenMail server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        return server;
    }

    /** The api settings that send to the GreenMail of this port, retrying within seconds. */
    static Map<String, String> env(int port) {
        return Map.of(
                "SMTP_URL", "smtp://127.0.0.1:" + port,
                "SMTP_STARTTLS", "false",
                "SMTP_FROM", "Acme Partners <" + FROM + ">",
                "SMTP_TIMEOUT_SECONDS", "2",
                "MAIL_POLL_INTERVAL_MS", "50",
                "MAIL_RETRY_BASE_SECONDS", "1",
                "MAIL_RETRY_CAP_SECONDS", "2");
    }

    static List<String> recipients(MimeMessage[] messages) {
        List<String> recipients = new ArrayList<>();
        try {
            for (MimeMessage message : messages) {
                for (var address : message.getRecipients(Message.RecipientType.TO)) {
                    recipients.add(address.toString());
                }
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
        return recipients;
    }

    static List<MimeMessage> to(GreenMail server, String recipient) {
        List<MimeMessage> found = new ArrayList<>();
        for (MimeMessage message : server.getReceivedMessages()) {
            if (recipients(new MimeMessage[] {message}).contains(recipient)) {
                found.add(message);
            }
        }
        return found;
    }

    /** The text/plain or text/html part of a multipart/alternative message. */
    static String part(MimeMessage message, String type) {
        try {
            MimeMultipart multipart = (MimeMultipart) message.getContent();
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

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first link of the text part that starts with {@code prefix}. */
    static String link(MimeMessage message, String prefix) {
        Matcher matcher =
                Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_./-]*").matcher(part(message, "text/plain"));
        assertThat(matcher.find()).as("a link starting " + prefix).isTrue();
        return matcher.group();
    }

    /**
     * Waits for the condition, moving the api's clock on a little at each look (at 4x real time), so
     * retry waits computed on that clock pass while leases (tens of seconds) stay far off.
     */
    static void await(String what, TestApi api, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            api.clock().advance(Duration.ofMillis(200));
        }
    }
}
