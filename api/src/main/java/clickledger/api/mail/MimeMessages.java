package clickledger.api.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/** Builds the MIME form of a message, the same for SMTP and for the .eml files. */
final class MimeMessages {
    private MimeMessages() {}

    /** multipart/alternative: text first, HTML last (the part a mail client prefers when it can). */
    static MimeMessage build(Session session, InternetAddress from, MailTransport.Envelope envelope, Date date)
            throws MessagingException {
        String messageId = "<" + envelope.messageId() + "@clickledger>";
        MimeMessage message = new MimeMessage(session) {
            // Jakarta Mail would make a new Message-ID at every save; keep the message's own.
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(from);
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(envelope.to(), true));
        message.setSubject(envelope.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(date);
        message.setHeader("X-Clickledger-Mail", envelope.kind());
        message.setHeader("Auto-Submitted", "auto-generated");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(envelope.text(), StandardCharsets.UTF_8.name(), "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(envelope.html(), StandardCharsets.UTF_8.name(), "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }
}
