package clickledger.api.http;

import clickledger.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects field errors across a whole request so a client (or a portal form) learns about every
 * bad field in one response instead of fixing them one round trip at a time.
 */
public final class FieldErrors {
    private final List<ApiException.FieldError> errors = new ArrayList<>();

    /** Runs a validating factory; on a field error, records it and returns null. */
    public <T> T check(Supplier<T> factory) {
        try {
            return factory.get();
        } catch (ApiException e) {
            if (e.status() != 400 || e.fieldErrors().isEmpty()) {
                throw e;
            }
            errors.addAll(e.fieldErrors());
            return null;
        }
    }

    /**
     * As {@link #check(Supplier)} for a value nested in the body: the field errors it records are
     * named under {@code prefix} ({@code admin.email} for {@code email} under {@code admin}).
     */
    public <T> T check(String prefix, Supplier<T> factory) {
        try {
            return factory.get();
        } catch (ApiException e) {
            if (e.status() != 400 || e.fieldErrors().isEmpty()) {
                throw e;
            }
            for (ApiException.FieldError error : e.fieldErrors()) {
                errors.add(new ApiException.FieldError(prefix + "." + error.field(), error.message()));
            }
            return null;
        }
    }

    /** Runs a validation with no result, such as a check across two fields; records its field error. */
    public void verify(Runnable validation) {
        check(() -> {
            validation.run();
            return null;
        });
    }

    public void add(String field, String message) {
        errors.add(new ApiException.FieldError(field, message));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiException.badRequest(errors);
        }
    }
}
