package clickledger.portal.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An api answer of 400 or more, read from its {@code application/problem+json} body: the status,
 * the stable code and the field errors, which forms show next to the fields they name. Also stands
 * for "the api could not be reached" (status 502), so a page has one failure type to handle.
 */
public final class ApiProblem extends RuntimeException {
    public record FieldError(String field, String message) {}

    private final int status;
    private final String code;
    private final List<FieldError> fieldErrors;
    private final String requestId;

    public ApiProblem(int status, String code, String detail, List<FieldError> fieldErrors, String requestId) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code == null ? "http_" + status : code;
        this.fieldErrors = List.copyOf(fieldErrors);
        this.requestId = requestId;
    }

    static ApiProblem unreachable(String detail) {
        return new ApiProblem(502, "api_unreachable", detail, List.of(), null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The api's human-readable detail. */
    public String detail() {
        return getMessage();
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** Field name to message, the first message of each field; what a form shows next to its fields. */
    public Map<String, String> byField() {
        Map<String, String> errors = new LinkedHashMap<>();
        for (FieldError error : fieldErrors) {
            errors.putIfAbsent(error.field(), error.message());
        }
        return errors;
    }

    /** The api's request id for this call, for the error page ("quote request id …"), or null. */
    public String requestId() {
        return requestId;
    }

    public boolean unauthorized() {
        return status == 401;
    }
}
