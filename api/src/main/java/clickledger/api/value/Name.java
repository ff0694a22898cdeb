package clickledger.api.value;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;

/** A display name for a program or partner: trimmed, 1 to 200 characters, no control characters. */
public record Name(String value) {
    public static final int MAX_LENGTH = 200;

    public Name {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("name", "is required");
        }
        value = value.strip();
        if (value.codePointCount(0, value.length()) > MAX_LENGTH) {
            throw ApiException.badRequest("name", "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw ApiException.badRequest("name", "must not contain control characters");
            }
        }
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
