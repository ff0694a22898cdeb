package clickledger.api.value;

import clickledger.api.http.FieldErrors;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The hosts besides its destination's that a program's deep links ({@code /r/{slug}?to=}) may
 * lead to (issue 19, docs/decisions/0025). Exact host names in their ASCII (punycode) form, with
 * an optional port: no wildcards, since a wildcard would hand every subdomain, including ones a
 * merchant lets others host content on, the program's name. Stored sorted and unique in one
 * space-separated column the router reads as is.
 */
public record AllowedHosts(List<String> hosts) {
    public static final AllowedHosts NONE = new AllowedHosts(List.of());
    // A merchant's own sites (shop, blog, help, app, a few countries); more is a sign of a mistake.
    public static final int MAX_HOSTS = 20;
    private static final String FIELD = "allowedHosts";

    public AllowedHosts {
        hosts = List.copyOf(hosts);
    }

    /** Checks and normalises a request's list (lower case, sorted, duplicates dropped). */
    public static AllowedHosts parse(List<String> raw) {
        if (raw == null) {
            throw ApiException.badRequest(FIELD, "must be a list of host names");
        }
        if (raw.size() > MAX_HOSTS) {
            throw ApiException.badRequest(FIELD, "must have at most " + MAX_HOSTS + " hosts");
        }
        TreeSet<String> hosts = new TreeSet<>();
        FieldErrors errors = new FieldErrors();
        for (int i = 0; i < raw.size(); i++) {
            String name = FIELD + "[" + i + "]";
            String text = raw.get(i);
            String host = errors.check(() -> host(name, text));
            if (host != null) {
                hosts.add(host);
            }
        }
        errors.throwIfAny();
        return new AllowedHosts(List.copyOf(hosts));
    }

    public static AllowedHosts fromStored(String stored) {
        return stored == null || stored.isEmpty() ? NONE : new AllowedHosts(List.of(stored.split(" ")));
    }

    /** The column's value: null for none. */
    public String stored() {
        return hosts.isEmpty() ? null : String.join(" ", hosts);
    }

    @JsonValue
    @Override
    public List<String> hosts() {
        return hosts;
    }

    private static String host(String field, String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(field, "must be a host name like blog.shop.example");
        }
        String host = text.trim().toLowerCase(Locale.ROOT);
        if (host.length() > 260) {
            throw ApiException.badRequest(field, "must be at most 253 characters, plus a port");
        }
        int colon = host.lastIndexOf(':');
        String name = colon < 0 ? host : host.substring(0, colon);
        if (colon >= 0) {
            String port = host.substring(colon + 1);
            if (!validPort(port)) {
                throw ApiException.badRequest(field, "has a port that is not a number from 1 to 65535");
            }
        }
        if (!validName(name)) {
            throw ApiException.badRequest(
                    field,
                    "must be a host name like blog.shop.example (letters, digits, hyphens and dots, in punycode;"
                            + " no scheme, path or wildcard)");
        }
        return host;
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || port.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(port) <= 65_535;
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }
}
