package clickledger.router.redirect;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where {@code /r/{slug}?to=} may send a visitor (issue 19, docs/decisions/0025): a path (and
 * query) on the program's destination host, or an absolute http(s) URL on that host or on one of
 * the program's allowed hosts. Anything else is refused, and the visitor goes to the link's usual
 * destination: never to the given URL.
 *
 * <p>Checked per request by hand, without a regex or a URI parser: one pass over at most
 * {@value #MAX_LENGTH} characters. The value is percent-decoded once, then only characters that
 * RFC 3986 allows in a URL may remain, so a backslash ({@code /\evil.example}), whitespace
 * (tabs, newlines), non-ASCII (unicode dots, {@code evil。example}) or a second layer of encoding
 * that would decode to one of them later is refused rather than interpreted. The Location is
 * rebuilt from the checked parts: the allowed origin, then the rest starting with {@code /}, so
 * nothing after the host can become a host ({@code https://shop.example%2F@evil.example} is the
 * path {@code /@evil.example} on shop.example).
 *
 * <p>One instance per program is shared by all its links in the cache; equal contents are equal,
 * so an unchanged link keeps its objects across reloads.
 */
public final class DeepLinks {
    /** The query parameter carrying the deep link; never passed on to the destination. */
    public static final String PARAMETER = "to";

    /** Longest accepted value once decoded; a Location beyond that is no share link. */
    static final int MAX_LENGTH = 2_048;

    private static final boolean[] URL_CHARACTER = new boolean[128];

    static {
        // RFC 3986: unreserved, gen-delims, sub-delims, and '%' for escapes that stay escaped.
        String allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
        for (int i = 0; i < allowed.length(); i++) {
            URL_CHARACTER[allowed.charAt(i)] = true;
        }
    }

    private final String scheme;
    private final String authority;
    private final String[] allowedHosts;

    private DeepLinks(String scheme, String authority, String[] allowedHosts) {
        this.scheme = scheme;
        this.authority = authority;
        this.allowedHosts = allowedHosts;
    }

    /**
     * @param programDestination the program's destination URL: its scheme and host are where a
     *     path goes
     * @param allowedHosts the program's other allowed hosts, lower-case {@code host[:port]}
     *     separated by spaces, or null
     */
    public static DeepLinks of(String programDestination, String allowedHosts) {
        int schemeEnd = programDestination.indexOf("://");
        String scheme = schemeEnd < 0
                ? "https"
                : programDestination.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        String authority = programDestination
                .substring(start, authorityEnd(programDestination, start))
                .toLowerCase(Locale.ROOT);
        String[] hosts = allowedHosts == null || allowedHosts.isBlank()
                ? new String[0]
                : allowedHosts.trim().toLowerCase(Locale.ROOT).split(" +");
        return new DeepLinks(scheme, authority, hosts);
    }

    /** The program's allowed hosts as stored (space-separated), or null for none; for the snapshot. */
    public String allowedHosts() {
        return allowedHosts.length == 0 ? null : String.join(" ", allowedHosts);
    }

    /**
     * The raw (still encoded) value of the first {@code to} parameter of a request's query, or null.
     * Runs on every redirect that has a query: a scan, no allocation unless the parameter is there.
     */
    public static String parameter(String query) {
        if (query == null) {
            return null;
        }
        int length = query.length();
        int start = 0;
        while (start < length) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = length;
            }
            if (end - start >= 3 && query.startsWith("to=", start)) {
                return query.substring(start + 3, end);
            }
            start = end + 1;
        }
        return null;
    }

    /**
     * The destination a {@code to} value asks for, or null when it is refused.
     *
     * @param raw the parameter's value as it came in the query (percent-encoded)
     */
    public Destination resolve(String raw) {
        if (raw.isEmpty() || raw.length() > MAX_LENGTH * 3) {
            return null;
        }
        String value = QueryText.decode(raw);
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 128 || !URL_CHARACTER[c]) {
                return null;
            }
        }
        if (value.charAt(0) == '/') {
            // "//host" is protocol-relative: another host, not a path.
            if (length > 1 && value.charAt(1) == '/') {
                return null;
            }
            return Destination.parse(scheme + "://" + authority + value);
        }
        String givenScheme;
        if (value.regionMatches(true, 0, "https://", 0, 8)) {
            givenScheme = "https";
        } else if (value.regionMatches(true, 0, "http://", 0, 7)) {
            givenScheme = "http";
        } else {
            return null; // "https:evil.example", "javascript:", "evil.example", "%2F%2F…" twice encoded
        }
        int start = givenScheme.length() + 3;
        int end = authorityEnd(value, start);
        String host = value.substring(start, end).toLowerCase(Locale.ROOT);
        if (host.isEmpty() || host.indexOf('@') >= 0 || !allowed(host)) {
            return null;
        }
        String rest = value.substring(end);
        return Destination.parse(givenScheme + "://" + host + (rest.startsWith("/") ? rest : "/" + rest));
    }

    private boolean allowed(String host) {
        if (host.equals(authority)) {
            return true;
        }
        for (String allowedHost : allowedHosts) {
            if (host.equals(allowedHost)) {
                return true;
            }
        }
        return false;
    }

    // Where the authority that starts at start ends: at the first '/', '?' or '#', or the end.
    private static int authorityEnd(String url, int start) {
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeepLinks that
                && scheme.equals(that.scheme)
                && authority.equals(that.authority)
                && Arrays.equals(allowedHosts, that.allowedHosts);
    }

    @Override
    public int hashCode() {
        return (scheme.hashCode() * 31 + authority.hashCode()) * 31 + Arrays.hashCode(allowedHosts);
    }
}
