package clickledger.api.webhook;

import clickledger.web.ApiException;

/** An endpoint's note to admins: trimmed, at most 500 characters, no control characters; blank means none. */
final class Description {
    static final int MAX_LENGTH = 500;

    private Description() {}

    /** Null for none. */
    static String of(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        if (value.codePointCount(0, value.length()) > MAX_LENGTH) {
            throw ApiException.badRequest("description", "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw ApiException.badRequest("description", "must not contain control characters");
            }
        }
        return value;
    }
}
