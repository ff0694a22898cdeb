package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.time.Clock;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends through SMTP_URL with Eclipse Angus Mail: a connection per message (mail here is a
 * handful an hour, not a stream, so a pool would only hold sockets open), every wait bounded by
 * SMTP_TIMEOUT_SECONDS, and STARTTLS required on smtp:// unless SMTP_STARTTLS=false, so a
 * misconfigured server fails loudly instead of receiving passwords and links in the clear.
 */
final class SmtpTransport implements MailTransport {
    private final Session session;
    private final SmtpUrl url;
    private final InternetAddress from;
    private final Clock clock;

    SmtpTransport(SmtpUrl url, InternetAddress from, boolean startTls, java.time.Duration timeout, Clock clock) {
        this.url = requireNonNull(url, "url is null");
        this.from = requireNonNull(from, "from is null");
        this.clock = requireNonNull(clock, "clock is null");
        String protocol = url.tls() ? "smtps" : "smtp";
        String prefix = "mail." + protocol + ".";
        Properties properties = new Properties();
        properties.setProperty("mail.transport.protocol", protocol);
        properties.setProperty(prefix + "host", url.host());
        properties.setProperty(prefix + "port", Integer.toString(url.port()));
        properties.setProperty(prefix + "auth", Boolean.toString(url.user() != null));
        String millis = Long.toString(timeout.toMillis());
        properties.setProperty(prefix + "connectiontimeout", millis);
        properties.setProperty(prefix + "timeout", millis);
        properties.setProperty(prefix + "writetimeout", millis);
        properties.setProperty(prefix + "from", from.getAddress());
        if (url.tls()) {
            properties.setProperty(prefix + "ssl.checkserveridentity", "true");
        } else if (startTls) {
            properties.setProperty(prefix + "starttls.enable", "true");
            properties.setProperty(prefix + "starttls.required", "true");
            properties.setProperty(prefix + "ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(properties);
    }

    @Override
    public void send(Envelope envelope) throws SendFailure {
        try {
            var message = MimeMessages.build(session, from, envelope, Date.from(clock.instant()));
            try (Transport transport = session.getTransport()) {
                transport.connect(url.host(), url.port(), url.user(), url.password());
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (SMTPAddressFailedException e) {
            throw new SendFailure(reply(e.getReturnCode(), e.getMessage()), e.getReturnCode() >= 500, e);
        } catch (SMTPSendFailedException e) {
            throw new SendFailure(reply(e.getReturnCode(), e.getMessage()), e.getReturnCode() >= 500, e);
        } catch (SendFailedException e) {
            // Every address refused: a 5xx at RCPT for the one recipient a message has.
            Exception next = e.getNextException();
            if (next instanceof SMTPAddressFailedException refused) {
                throw new SendFailure(
                        reply(refused.getReturnCode(), refused.getMessage()), refused.getReturnCode() >= 500, e);
            }
            throw new SendFailure("refused: " + oneLine(e.getMessage()), false, e);
        } catch (MessagingException e) {
            // Connection refused, timeouts, TLS and authentication failures: the server or its
            // settings may come back or be fixed, so these are retried on the schedule.
            throw new SendFailure(describe(e), false, e);
        }
    }

    @Override
    public String name() {
        return "smtp";
    }

    private static String reply(int code, String message) {
        return "smtp " + code + ": " + oneLine(message);
    }

    private static String describe(MessagingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String top = oneLine(e.getMessage());
        return cause == e
                ? top
                : top + " (" + cause.getClass().getSimpleName() + ": " + oneLine(cause.getMessage()) + ")";
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }
}
