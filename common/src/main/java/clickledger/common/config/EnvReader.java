package clickledger.common.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads settings from an environment map and collects every problem instead of stopping at the
 * first, so an operator fixes a bad deployment in one round trip. Call {@link #finish()} after the
 * last read: it throws one {@link ConfigException} naming all problems.
 *
 * <p>It reads only the settings its service declared (the list that docs/configuration.md is
 * generated from): reading another is a programming error, thrown at once, so a new variable cannot
 * reach a service without reaching the reference too.
 */
public final class EnvReader {
    private final Map<String, String> env;
    private final Set<String> declared;
    private final List<String> problems = new ArrayList<>();

    /** @param declared every setting the service reads */
    public EnvReader(Map<String, String> env, Collection<Setting> declared) {
        this.env = requireNonNull(env, "env is null");
        this.declared = declared.stream().map(Setting::name).collect(Collectors.toUnmodifiableSet());
    }

    public Optional<String> optional(Setting setting) {
        return raw(checked(setting).name());
    }

    /** The value, or the declared default. */
    public String string(Setting setting) {
        return optional(setting).orElse(setting.defaultValue());
    }

    public String required(Setting setting) {
        Optional<String> value = optional(setting);
        if (value.isEmpty()) {
            problems.add(setting.name() + " is missing");
            return "";
        }
        return value.get();
    }

    /** A secret may come from NAME or from the file named by NAME_FILE (Docker/Kubernetes secrets). */
    public Optional<Secret> secret(Setting setting) {
        String name = checked(setting).name();
        if (!setting.secret()) {
            throw new IllegalStateException(name + " is read as a secret but not declared as one");
        }
        Optional<String> direct = raw(name);
        Optional<String> file = raw(setting.fileVariable());
        if (direct.isPresent() && file.isPresent()) {
            problems.add(name + " and " + setting.fileVariable() + " are both set; set one");
            return direct.map(Secret::new);
        }
        if (file.isPresent()) {
            try {
                String content = Files.readString(Path.of(file.get())).trim();
                if (content.isEmpty()) {
                    problems.add(setting.fileVariable() + " \"" + file.get() + "\" is empty");
                    return Optional.empty();
                }
                return Optional.of(new Secret(content));
            } catch (IOException | RuntimeException e) {
                problems.add(setting.fileVariable() + " \"" + file.get() + "\" cannot be read");
                return Optional.empty();
            }
        }
        return direct.map(Secret::new);
    }

    /** Whether NAME or NAME_FILE is given at all, before either is read. */
    public boolean secretGiven(Setting setting) {
        String name = checked(setting).name();
        return raw(name).isPresent() || raw(setting.fileVariable()).isPresent();
    }

    public Secret requiredSecret(Setting setting) {
        Optional<Secret> value = secret(setting);
        if (value.isEmpty() && problems.stream().noneMatch(p -> p.startsWith(setting.name()))) {
            problems.add(setting.name() + " is missing");
        }
        return value.orElse(new Secret(""));
    }

    public int port(Setting setting) {
        return integer(setting, declaredInteger(setting), 0, 65535, "is not a port");
    }

    /** A whole number in [min, max], or the declared default. */
    public int integer(Setting setting, int min, int max) {
        return integer(setting, declaredInteger(setting), min, max);
    }

    /** A whole number in [min, max], or {@code defaultValue}, for a default the code works out. */
    public int integer(Setting setting, int defaultValue, int min, int max) {
        return integer(setting, defaultValue, min, max, "is not a whole number between " + min + " and " + max);
    }

    private int integer(Setting setting, int defaultValue, int min, int max, String complaint) {
        Optional<String> raw = optional(setting);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problems.add(setting.name() + " \"" + raw.get() + "\" " + complaint);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(setting.name() + " \"" + raw.get() + "\" " + complaint);
            return defaultValue;
        }
    }

    public boolean bool(Setting setting) {
        boolean defaultValue = parseBoolean(setting.defaultValue())
                .orElseThrow(() -> new IllegalStateException(setting.name() + " declares no true/false default"));
        Optional<String> raw = optional(setting);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return parseBoolean(raw.get()).orElseGet(() -> {
            problems.add(setting.name() + " \"" + raw.get() + "\" is not true or false");
            return defaultValue;
        });
    }

    private static Optional<Boolean> parseBoolean(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> Optional.of(true);
            case "false", "0", "no", "off" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** {@link #baseUrl(Setting, String)} with the declared default. */
    public String baseUrl(Setting setting) {
        return baseUrl(setting, setting.defaultValue());
    }

    /**
     * An absolute http(s) base URL with a host and no query or fragment, without trailing slashes,
     * so callers can append paths such as "/r/{slug}".
     */
    public String baseUrl(Setting setting, String defaultValue) {
        String value = optional(setting).orElse(defaultValue);
        String complaint =
                setting.name() + " \"" + value + "\" is not an absolute http(s) URL without query or fragment";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            problems.add(complaint);
            return defaultValue;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean web = scheme.equals("http") || scheme.equals("https");
        if (!web || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(complaint);
            return defaultValue;
        }
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }

    /** Records a problem found by the caller's own validation, so it is reported with the rest. */
    public void problem(String message) {
        problems.add(message);
    }

    public void finish() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private Setting checked(Setting setting) {
        if (!declared.contains(setting.name())) {
            throw new IllegalStateException(setting.name()
                    + " is read but not declared in this service's settings, so docs/configuration.md would miss it");
        }
        return setting;
    }

    private Optional<String> raw(String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.trim());
    }

    private static int declaredInteger(Setting setting) {
        try {
            return Integer.parseInt(setting.defaultValue());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(setting.name() + " declares no whole-number default", e);
        }
    }
}
