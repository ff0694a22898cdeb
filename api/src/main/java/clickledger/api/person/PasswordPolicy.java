package clickledger.api.person;

import clickledger.web.ApiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The one rule every new password meets, wherever it is set (install, accepting an invitation,
 * changing it, and the partner sign-up and reset of later issues): 12 to 256 characters, not one
 * of the 10,000 most common passwords of that length (compared ignoring case), and not the
 * person's email. Length over composition rules, as NIST SP 800-63B advises: "Tr0ub4dor&3" style
 * rules push people to predictable patterns, a long pass phrase is what resists guessing.
 *
 * <p>The message names the field and never repeats the password.
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 12;
    /** Argon2 takes any length, but hashing megabytes per request would hand out free CPU. */
    public static final int MAX_LENGTH = 256;

    private static final String COMMON_RESOURCE = "/clickledger/api/person/common-passwords.txt";
    private static final Set<String> COMMON = loadCommon();

    private PasswordPolicy() {}

    /**
     * @param field the JSON field the password came in ({@code password}, {@code admin.password})
     * @param email the person's email, or null when not known yet
     * @return the password, unchanged (no trimming: a space is as good a character as any)
     */
    public static String check(String field, String password, String email) {
        if (password == null || password.isEmpty()) {
            throw ApiException.badRequest(field, "is required");
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw ApiException.badRequest(field, "must be at least " + MIN_LENGTH + " characters");
        }
        if (length > MAX_LENGTH) {
            throw ApiException.badRequest(field, "must be at most " + MAX_LENGTH + " characters");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (COMMON.contains(lower)) {
            throw ApiException.badRequest(field, "is one of the most common passwords; choose another");
        }
        if (email != null && lower.equals(email.strip().toLowerCase(Locale.ROOT))) {
            throw ApiException.badRequest(field, "must not be the email address");
        }
        return password;
    }

    static boolean isCommon(String password) {
        return COMMON.contains(password.toLowerCase(Locale.ROOT));
    }

    static int commonCount() {
        return COMMON.size();
    }

    // Lines starting "# " are comments; "###int_made###" is a real (common) password.
    private static Set<String> loadCommon() {
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(COMMON_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(COMMON_RESOURCE + " is missing from the jar");
            }
            Set<String> common = new HashSet<>(16_384);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty() && !line.startsWith("# ")) {
                    common.add(line.toLowerCase(Locale.ROOT));
                }
            }
            return Set.copyOf(common);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + COMMON_RESOURCE, e);
        }
    }
}
