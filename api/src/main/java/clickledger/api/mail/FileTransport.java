package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Without SMTP_URL (the {@code make run} default), mail is neither lost nor silently dropped: each
 * message is written to MAIL_DIR as an .eml file (any mail client opens one) and its recipient,
 * subject and links are logged, so a newcomer can follow an invitation on one machine. A file is
 * written under a temporary name and moved into place, so a reader never sees half a message.
 */
final class FileTransport implements MailTransport {
    private static final Logger LOG = LoggerFactory.getLogger(FileTransport.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path directory;
    private final InternetAddress from;
    private final Clock clock;
    private final Session session = Session.getInstance(new Properties());

    FileTransport(Path directory, InternetAddress from, Clock clock) {
        this.directory = requireNonNull(directory, "directory is null");
        this.from = requireNonNull(from, "from is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void send(Envelope envelope) throws SendFailure {
        Path file = directory.resolve(
                STAMP.format(clock.instant()) + "-" + envelope.kind() + "-" + envelope.messageId() + ".eml");
        try {
            Files.createDirectories(directory);
            var message = MimeMessages.build(session, from, envelope, Date.from(clock.instant()));
            Path partial = directory.resolve("." + file.getFileName() + ".part");
            try (OutputStream out = Files.newOutputStream(partial)) {
                message.writeTo(out);
            }
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | MessagingException e) {
            // A full disk or a missing permission: fixed by a person, so retried on the schedule.
            throw new SendFailure("cannot write " + file + ": " + e.getMessage(), false, e);
        }
        LOG.atInfo()
                .addKeyValue("to", envelope.to())
                .addKeyValue("subject", envelope.subject())
                .addKeyValue("links", String.join(" ", envelope.links()))
                .addKeyValue("file", file.toAbsolutePath().toString())
                .log("mail written to a file (no SMTP_URL)");
    }

    @Override
    public String name() {
        return "files";
    }
}
