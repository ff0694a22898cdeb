package clickledger.web;

import java.util.List;

/**
 * A domain error with a stable code and an HTTP status; {@link WebApp} renders it as
 * application/problem+json. Field errors name the offending JSON field so a client can fix it.
 */
public final class ApiException extends RuntimeException {
    public record FieldError(String field, String message) {}

    private final int status;
    private final String code;
    private final String title;
    private final List<FieldError> fieldErrors;
    private final String retryAfter;

    public ApiException(int status, String code, String title, String detail, List<FieldError> fieldErrors) {
        this(status, code, title, detail, fieldErrors, null);
    }

    private ApiException(
            int status, String code, String title, String detail, List<FieldError> fieldErrors, String retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.fieldErrors = List.copyOf(fieldErrors);
        this.retryAfter = retryAfter;
    }

    /**
     * 503: the request was not carried out and may be sent again after {@code retryAfterSeconds}
     * ({@link WebApp} sends it as the {@code Retry-After} header).
     */
    public static ApiException unavailable(String code, String detail, String retryAfterSeconds) {
        return new ApiException(503, code, "Service unavailable", detail, List.of(), retryAfterSeconds);
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(
                400,
                "invalid_request",
                "Invalid request",
                field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    public static ApiException badRequest(List<FieldError> errors) {
        String detail = String.join(
                "; ", errors.stream().map(e -> e.field() + ": " + e.message()).toList());
        return new ApiException(400, "invalid_request", "Invalid request", detail, errors);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", "Not found", what + " was not found", List.of());
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(409, code, "Conflict", detail, List.of());
    }

    public static ApiException unauthorized() {
        return new ApiException(
                401,
                "unauthorized",
                "Unauthorized",
                "a valid Authorization: Bearer <key> header is required",
                List.of());
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Forbidden", detail, List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** Seconds for the {@code Retry-After} header, or null for none. */
    public String retryAfter() {
        return retryAfter;
    }
}
