package clickledger.api.link;

import clickledger.api.http.FieldErrors;
import clickledger.web.ApiException;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Link tags (issue 19, docs/decisions/0025): free text a merchant or partner groups links by, as
 * Dub's tags and Shlink's are. Normalised so "Spring Sale", " spring  sale" and "SPRING SALE" are
 * one tag: compatibility-normalised (NFKC, so full-width letters fold), trimmed, inner whitespace
 * collapsed to one space, lower case. At most {@value #MAX_LENGTH} characters each (a label, not a
 * description) and {@value #MAX_PER_LINK} a link, which bounds what a list or a filter carries.
 */
public final class LinkTag {
    public static final int MAX_LENGTH = 40;
    public static final int MAX_PER_LINK = 10;

    private LinkTag() {}

    /** A request's tags, each checked and normalised, duplicates merged, sorted. */
    public static List<String> parseAll(String field, List<String> raw) {
        if (raw == null) {
            throw ApiException.badRequest(field, "must be a list of tags");
        }
        TreeSet<String> tags = new TreeSet<>();
        FieldErrors errors = new FieldErrors();
        for (int i = 0; i < raw.size(); i++) {
            String name = field + "[" + i + "]";
            String text = raw.get(i);
            String tag = errors.check(() -> parse(name, text));
            if (tag != null) {
                tags.add(tag);
            }
        }
        errors.throwIfAny();
        if (tags.size() > MAX_PER_LINK) {
            throw ApiException.badRequest(field, "must have at most " + MAX_PER_LINK + " tags");
        }
        return List.copyOf(tags);
    }

    /** One tag, from a request body or a {@code ?tag=} filter. */
    public static String parse(String field, String raw) {
        if (raw == null) {
            throw ApiException.badRequest(field, "must be a tag, not null");
        }
        if (raw.length() > MAX_LENGTH * 8) {
            throw ApiException.badRequest(field, "must be at most " + MAX_LENGTH + " characters");
        }
        String text = Normalizer.normalize(raw, Normalizer.Form.NFKC);
        StringBuilder tag = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = !tag.isEmpty();
                continue;
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == ',') {
                throw ApiException.badRequest(
                        field, "must not contain commas, control or invisible formatting characters");
            }
            if (space) {
                tag.append(' ');
                space = false;
            }
            tag.appendCodePoint(c);
        }
        String normalised = tag.toString().toLowerCase(Locale.ROOT);
        if (normalised.isEmpty()) {
            throw ApiException.badRequest(field, "must not be empty");
        }
        if (normalised.codePointCount(0, normalised.length()) > MAX_LENGTH) {
            throw ApiException.badRequest(field, "must be at most " + MAX_LENGTH + " characters");
        }
        return normalised;
    }
}
