package clickledger.common.config;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * One environment variable, declared once: its name, the default the code uses when it is unset,
 * and the line that docs/configuration.md shows for it. Services read settings only through
 * {@link EnvReader}, which refuses a setting its service did not declare, so the generated
 * reference cannot leave one out.
 *
 * @param defaultValue the value used when the variable is unset, in the form the variable takes
 *     ({@code "4601"}, {@code "true"}), or null when there is none or the code works it out
 * @param defaultText how the reference shows the default: {@code `4601`}, "required", "none", or
 *     what the code works it out from
 * @param secret whether the value is a secret: never logged, and also accepted from the file named
 *     by {@code NAME_FILE} (Docker and Kubernetes secrets)
 */
public record Setting(String name, String defaultValue, String defaultText, String description, boolean secret) {
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    public Setting {
        requireNonNull(name, "name is null");
        requireNonNull(defaultText, "defaultText is null");
        requireNonNull(description, "description is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("setting name " + name + " is not upper snake case");
        }
        if (description.isBlank() || description.contains("\n")) {
            throw new IllegalArgumentException(name + ": the description is one line");
        }
    }

    /** A setting with a fixed default, shown as it is. */
    public static Setting withDefault(String name, String defaultValue, String description) {
        requireNonNull(defaultValue, "defaultValue is null");
        return new Setting(name, defaultValue, "`" + defaultValue + "`", description, false);
    }

    /** A setting the process cannot start without. */
    public static Setting required(String name, String description) {
        return new Setting(name, null, "required", description, false);
    }

    /** A setting that is off, or absent, unless given. */
    public static Setting optional(String name, String description) {
        return new Setting(name, null, "none", description, false);
    }

    /** A setting whose default the code works out (from another setting, or per service). */
    public static Setting computed(String name, String defaultText, String description) {
        return new Setting(name, null, defaultText, description, false);
    }

    /** The same setting, marked secret: redacted everywhere and also read from {@code NAME_FILE}. */
    public Setting asSecret() {
        return new Setting(name, defaultValue, defaultText, description, true);
    }

    /** The same setting with another text in the reference's default column. */
    public Setting shownAs(String text) {
        return new Setting(name, defaultValue, text, description, secret);
    }

    /** The variable that names a file holding this secret's value. */
    public String fileVariable() {
        return name + "_FILE";
    }
}
