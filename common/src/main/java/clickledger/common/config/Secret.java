package clickledger.common.config;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret setting's value. {@link #toString()} is {@code <redacted>}, so a config record that
 * holds one can be logged as it is, without a hand-kept toString that forgets the next secret.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    /** The secret itself, for the one place that uses it; never for a log line or a message. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    // Constant-time, like every comparison of a secret here.
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), secret.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // a hash would leak bits of the secret; secrets are not map keys
    }

    @Override
    public String toString() {
        return "<redacted>";
    }
}
