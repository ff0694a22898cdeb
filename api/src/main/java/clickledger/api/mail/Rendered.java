package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A message ready to queue: its subject, its body as text and as HTML, and the links in it (logged
 * when mail goes to files, so a newcomer can follow an invitation on one machine).
 */
public record Rendered(MailKind kind, String subject, String text, String html, List<String> links) {
    public Rendered {
        requireNonNull(kind, "kind is null");
        requireNonNull(subject, "subject is null");
        requireNonNull(text, "text is null");
        requireNonNull(html, "html is null");
        links = List.copyOf(links);
        if (subject.contains("\r") || subject.contains("\n")) {
            throw new IllegalArgumentException("a subject is one line");
        }
    }

    @Override
    public String toString() {
        // The links carry single-use tokens.
        return "Rendered[kind=" + kind + ", subject=" + subject + "]";
    }
}
