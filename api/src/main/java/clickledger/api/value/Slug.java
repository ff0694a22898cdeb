package clickledger.api.value;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A program or link slug, {@code [A-Za-z0-9_-]{1,64}} (the schema's check constraint): it appears
 * in URLs, so it is limited to characters that never need escaping.
 */
public record Slug(String value) {
    public static final int MAX_LENGTH = 64;

    public Slug {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("slug", "is required");
        }
        // Length first, so a hostile 10 KB slug costs nothing more to reject.
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest("slug", "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isSlugCharacter(value.charAt(i))) {
                throw ApiException.badRequest("slug", "may contain only A-Z, a-z, 0-9, '-' and '_'");
            }
        }
    }

    private static boolean isSlugCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
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
