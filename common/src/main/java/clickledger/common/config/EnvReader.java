package clickledger.common.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads settings from an environment map and collects every problem instead of stopping at the
 * first, so an operator fixes a bad deployment in one round trip. Call {@link #finish()} after the
 * last read: it throws one {@link ConfigException} naming all problems.
 */
public final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Map<String, String> env) {
        this.env = requireNonNull(env, "env is null");
    }

    public Optional<String> optional(String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.trim());
    }

    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    public String required(String name) {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            problems.add(name + " is missing");
            return "";
        }
        return value.get();
    }

    /** A secret may come from NAME or from the file named by NAME_FILE (Docker/Kubernetes secrets). */
    public Optional<String> secret(String name) {
        Optional<String> direct = optional(name);
        Optional<String> file = optional(name + "_FILE");
        if (direct.isPresent() && file.isPresent()) {
            problems.add(name + " and " + name + "_FILE are both set; set one");
            return direct;
        }
        if (file.isPresent()) {
            try {
                String content = Files.readString(Path.of(file.get())).trim();
                if (content.isEmpty()) {
                    problems.add(name + "_FILE \"" + file.get() + "\" is empty");
                    return Optional.empty();
                }
                return Optional.of(content);
            } catch (IOException | RuntimeException e) {
                problems.add(name + "_FILE \"" + file.get() + "\" cannot be read");
                return Optional.empty();
            }
        }
        return direct;
    }

    public String requiredSecret(String name) {
        Optional<String> value = secret(name);
        if (value.isEmpty() && problems.stream().noneMatch(p -> p.startsWith(name))) {
            problems.add(name + " is missing");
        }
        return value.orElse("");
    }

    public int port(String name, int defaultValue) {
        return integer(name, defaultValue, 0, 65535, "is not a port");
    }

    public int integer(String name, int defaultValue, int min, int max) {
        return integer(name, defaultValue, min, max, "is not a whole number between " + min + " and " + max);
    }

    private int integer(String name, int defaultValue, int min, int max, String complaint) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problems.add(name + " \"" + raw.get() + "\" " + complaint);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(name + " \"" + raw.get() + "\" " + complaint);
            return defaultValue;
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problems.add(name + " \"" + raw.get() + "\" is not true or false");
                yield defaultValue;
            }
        };
    }

    /**
     * An absolute http(s) base URL with a host and no query or fragment, without trailing slashes,
     * so callers can append paths such as "/r/{slug}".
     */
    public String baseUrl(String name, String defaultValue) {
        String value = string(name, defaultValue);
        String complaint = name + " \"" + value + "\" is not an absolute http(s) URL without query or fragment";
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            problems.add(complaint);
            return defaultValue;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
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
}
