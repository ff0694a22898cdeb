package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One message, written once and rendered twice: as plain text and as HTML, so the two never say
 * different things. Every part is text; the HTML escapes it, and links are only ever the api's own
 * portal URLs.
 */
final class Letter {
    private sealed interface Part permits Line, Action, Note, Row {}

    private record Line(String text) implements Part {}

    private record Action(String label, String url) implements Part {}

    private record Note(String text) implements Part {}

    private record Row(String left, String right) implements Part {}

    private final String brand;
    private final String greeting;
    private final List<Part> parts = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<Logo> logos = new ArrayList<>();

    private record Logo(String url, String alt) {}

    /**
     * @param brand what the mail is about, shown at its top: the program's name, or clickledger
     * @param name the recipient's name, or null for a plain "Hello,"
     */
    Letter(String brand, String name) {
        this.brand = requireNonNull(brand, "brand is null");
        this.greeting = name == null || name.isBlank() ? "Hello," : "Hello " + name.strip() + ",";
    }

    /**
     * A program's logo at the top of the HTML part, with the program's name as its alt text (the
     * text part names the program already, and shows no pictures).
     */
    Letter logo(String url, String alt) {
        logos.add(new Logo(requireNonNull(url, "url is null"), requireNonNull(alt, "alt is null")));
        return this;
    }

    Letter line(String text) {
        parts.add(new Line(requireNonNull(text, "text is null")));
        return this;
    }

    /** The one thing to do, as a button in HTML and a labelled URL in text. */
    Letter action(String label, String url) {
        parts.add(new Action(requireNonNull(label, "label is null"), requireNonNull(url, "url is null")));
        links.add(url);
        return this;
    }

    /** A row of a small table (a commission and its amount). */
    Letter row(String left, String right) {
        parts.add(new Row(requireNonNull(left, "left is null"), requireNonNull(right, "right is null")));
        return this;
    }

    /** Small print at the end: why the mail came, what to do if it was not expected. */
    Letter note(String text) {
        parts.add(new Note(requireNonNull(text, "text is null")));
        return this;
    }

    Rendered render(MailKind kind, String subject) {
        return new Rendered(kind, subject, text(), html(subject), links);
    }

    private String text() {
        StringBuilder out = new StringBuilder();
        out.append(brand).append("\n\n").append(greeting).append("\n\n");
        boolean inRows = false;
        for (Part part : parts) {
            if (inRows && !(part instanceof Row)) {
                out.append('\n');
                inRows = false;
            }
            switch (part) {
                case Line line -> out.append(line.text()).append("\n\n");
                case Action action ->
                    out.append(action.label())
                            .append(":\n")
                            .append(action.url())
                            .append("\n\n");
                case Note note -> out.append("-- \n").append(note.text()).append("\n\n");
                case Row row -> {
                    out.append("  ")
                            .append(row.left())
                            .append("  ")
                            .append(row.right())
                            .append('\n');
                    inRows = true;
                }
            }
        }
        return out.toString().stripTrailing() + "\n";
    }

    private String html(String subject) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(subject))
                .append("</title></head>\n")
                .append("<body style=\"margin:0;padding:0;background:#f5f7fa;\">\n")
                .append("<div style=\"max-width:560px;margin:0 auto;padding:24px;font-family:-apple-system,")
                .append("'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;")
                .append("background:#ffffff;\">\n");
        if (!logos.isEmpty()) {
            out.append("<p style=\"margin:0 0 12px;\">");
            for (Logo logo : logos) {
                out.append("<img src=\"")
                        .append(escape(logo.url()))
                        .append("\" alt=\"")
                        .append(escape(logo.alt()))
                        .append("\" style=\"max-height:48px;max-width:200px;height:auto;border:0;")
                        .append("margin-right:12px;vertical-align:middle;\">");
            }
            out.append("</p>\n");
        }
        out.append("<p style=\"font-size:13px;color:#52606d;margin:0 0 16px;\">")
                .append(escape(brand))
                .append("</p>\n<p>")
                .append(escape(greeting))
                .append("</p>\n");
        boolean inRows = false;
        for (Part part : parts) {
            if (inRows && !(part instanceof Row)) {
                out.append("</table>\n");
                inRows = false;
            }
            switch (part) {
                case Line line -> out.append("<p>").append(escape(line.text())).append("</p>\n");
                case Action action ->
                    out.append("<p><a href=\"")
                            .append(escape(action.url()))
                            .append("\" style=\"display:inline-block;background:#1f6feb;color:#ffffff;")
                            .append("padding:10px 18px;border-radius:6px;text-decoration:none;\">")
                            .append(escape(action.label()))
                            .append("</a></p>\n<p style=\"font-size:13px;color:#52606d;\">")
                            .append("If the button does not work, open this address: <a href=\"")
                            .append(escape(action.url()))
                            .append("\">")
                            .append(escape(action.url()))
                            .append("</a></p>\n");
                case Note note ->
                    out.append("<p style=\"font-size:13px;color:#52606d;border-top:1px solid #e4e7eb;")
                            .append("padding-top:12px;\">")
                            .append(escape(note.text()))
                            .append("</p>\n");
                case Row row -> {
                    if (!inRows) {
                        out.append("<table style=\"border-collapse:collapse;width:100%;\">\n");
                        inRows = true;
                    }
                    out.append("<tr><td style=\"padding:4px 8px 4px 0;border-bottom:1px solid #e4e7eb;\">")
                            .append(escape(row.left()))
                            .append(
                                    "</td><td style=\"padding:4px 0;text-align:right;border-bottom:1px solid #e4e7eb;\">")
                            .append(escape(row.right()))
                            .append("</td></tr>\n");
                }
            }
        }
        if (inRows) {
            out.append("</table>\n");
        }
        out.append("</div>\n</body></html>\n");
        return out.toString();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
