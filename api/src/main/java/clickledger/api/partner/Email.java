package clickledger.api.partner;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A partner's email address: trimmed, at most 320 characters (RFC 5321's 64 + 1 + 255), one
 * {@code @}, a dotted domain, no spaces or control characters. Deliberately loose beyond that:
 * the only real check of an address is mail arriving. Kept as written; uniqueness ignores case.
 */
public record Email(String value) {
    public static final int MAX_LENGTH = 320;
    public static final int MAX_LOCAL_LENGTH = 64;

    public Email {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("email", "is required");
        }
        value = value.strip();
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest("email", "must be at most " + MAX_LENGTH + " characters");
        }
        if (!looksLikeAnAddress(value)) {
            throw ApiException.badRequest("email", "must be an email address like ada@example.com");
        }
    }

    private static boolean looksLikeAnAddress(String text) {
        int at = text.indexOf('@');
        if (at < 1 || at > MAX_LOCAL_LENGTH || at != text.lastIndexOf('@')) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return false;
            }
        }
        String domain = text.substring(at + 1);
        int dot = domain.lastIndexOf('.');
        return dot > 0 && dot < domain.length() - 1 && !domain.startsWith(".") && !domain.contains("..");
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
