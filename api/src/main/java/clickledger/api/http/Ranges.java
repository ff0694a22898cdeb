package clickledger.api.http;

import clickledger.web.ApiException;

/** Whole-number bounds checks that name the field. */
public final class Ranges {
    private Ranges() {}

    public static int check(String field, Integer value, int min, int max) {
        if (value == null) {
            throw ApiException.badRequest(field, "is required");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest(field, "must be between " + min + " and " + max);
        }
        return value;
    }
}
