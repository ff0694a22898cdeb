package clickledger.portal.web;

import clickledger.portal.api.ApiProblem;
import io.javalin.http.Context;
import java.util.List;

/** Query parameters of the portal's own pages; a bad one is a 400 page naming it, never a 500. */
public final class Params {
    private Params() {}

    public static String text(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    public static int integer(Context ctx, String name, int defaultValue, int min, int max) {
        String value = text(ctx, name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, like a number out of range
        }
        throw badRequest(name, "must be a whole number from " + min + " to " + max);
    }

    public static ApiProblem badRequest(String field, String message) {
        return new ApiProblem(
                400,
                "invalid_request",
                field + ": " + message,
                List.of(new ApiProblem.FieldError(field, message)),
                null);
    }
}
