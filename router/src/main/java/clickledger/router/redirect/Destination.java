package clickledger.router.redirect;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A destination URL split once, when its link is cached, into the parts a redirect rebuilds: the
 * part before the query, the destination's own query parameters (raw, encoding untouched) minus
 * any {@code cref}, their names, and the fragment. Building a Location is then string
 * concatenation, with no URL parsing per request.
 */
public final class Destination {
    public static final String CREF = "cref";

    private final String url;
    private final String base;
    private final List<String> params;
    private final Set<String> names;
    private final String fragment;
    private final boolean hasUtm;

    private Destination(String url, String base, List<String> params, Set<String> names, String fragment) {
        this.url = url;
        this.base = base;
        this.params = params;
        this.names = names;
        this.fragment = fragment;
        this.hasUtm = names.stream().anyMatch(name -> name.startsWith("utm_"));
    }

    public static Destination parse(String url) {
        int hash = url.indexOf('#');
        String fragment = hash < 0 ? "" : url.substring(hash);
        String withoutFragment = hash < 0 ? url : url.substring(0, hash);
        int question = withoutFragment.indexOf('?');
        String base = question < 0 ? withoutFragment : withoutFragment.substring(0, question);
        List<String> params = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (question >= 0) {
            for (String param : withoutFragment.substring(question + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                String name = nameOf(param);
                if (isCref(name)) {
                    continue; // an existing cref is replaced by this click's
                }
                params.add(param);
                names.add(name);
            }
        }
        return new Destination(url, base, List.copyOf(params), Set.copyOf(names), fragment);
    }

    /** The URL this was parsed from, as stored (the link cache's snapshot keeps it). */
    public String url() {
        return url;
    }

    /**
     * The Location for one redirect: the destination's query, then inbound parameters the
     * destination lacks (UTM tags and others, so campaign tagging on the share link survives),
     * then {@code cref} when there is one, then the fragment. The deep-link parameter
     * ({@link DeepLinks#PARAMETER}) is the router's own and never passed on: a refused {@code to}
     * must not reach a destination that might follow it.
     *
     * @param inboundQuery the raw query of the request to the router, or null
     * @param cref the click id, or null for a redirect that carries none
     */
    public String location(String inboundQuery, String cref) {
        StringBuilder out = new StringBuilder(base.length() + 96);
        out.append(base);
        char separator = '?';
        for (String param : params) {
            out.append(separator).append(param);
            separator = '&';
        }
        if (inboundQuery != null && !inboundQuery.isEmpty()) {
            int start = 0;
            int length = inboundQuery.length();
            while (start <= length) {
                int end = inboundQuery.indexOf('&', start);
                if (end < 0) {
                    end = length;
                }
                if (end > start) {
                    String param = inboundQuery.substring(start, end);
                    String name = nameOf(param);
                    if (!name.isEmpty()
                            && !isCref(name)
                            && !names.contains(name)
                            && !name.equals(DeepLinks.PARAMETER)) {
                        out.append(separator);
                        appendSafe(out, param);
                        separator = '&';
                    }
                }
                start = end + 1;
            }
        }
        if (cref != null) {
            out.append(separator).append(CREF).append('=').append(cref);
        }
        out.append(fragment);
        return out.toString();
    }

    // Equal destinations let the link cache keep an unchanged link's objects across reloads.
    @Override
    public boolean equals(Object other) {
        return other instanceof Destination that
                && base.equals(that.base)
                && params.equals(that.params)
                && fragment.equals(that.fragment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, params, fragment);
    }

    public boolean hasUtm() {
        return hasUtm;
    }

    /** The destination's query parameter, decoded, or null; for UTM values carried by the destination. */
    public String parameter(String name) {
        for (String param : params) {
            if (nameOf(param).equals(name)) {
                int equals = param.indexOf('=');
                return equals < 0 ? "" : QueryText.decode(param.substring(equals + 1));
            }
        }
        return null;
    }

    /**
     * True when a parameter name means {@code cref} to a destination: after percent-decoding
     * ({@code cr%65f}, {@code %63ref}) and in any letter case ({@code CREF}: ASP.NET and some other
     * frameworks read query names case-insensitively). Such a parameter ahead of ours would be the
     * value a destination reading the first one (URLSearchParams.get, most frameworks) credits.
     * Checked without decoding into a new string: this runs for every inbound parameter.
     */
    static boolean isCref(String name) {
        int length = name.length();
        if (length < CREF.length() || length > CREF.length() * 3) {
            return false;
        }
        int matched = 0;
        for (int i = 0; i < length; i++) {
            int c = name.charAt(i);
            if (c == '%') {
                if (i + 2 >= length || !isHex(name.charAt(i + 1)) || !isHex(name.charAt(i + 2))) {
                    return false;
                }
                c = Character.digit(name.charAt(i + 1), 16) * 16 + Character.digit(name.charAt(i + 2), 16);
                i += 2;
            }
            if (matched == CREF.length() || (c | 0x20) != CREF.charAt(matched)) {
                return false;
            }
            matched++;
        }
        return matched == CREF.length();
    }

    static String nameOf(String param) {
        int equals = param.indexOf('=');
        return equals < 0 ? param : param.substring(0, equals);
    }

    /**
     * Copies an inbound parameter, percent-encoding anything that is not allowed in a URL query,
     * so a hostile request cannot put raw spaces, quotes, control or non-ASCII characters into
     * the Location header; valid escapes pass through untouched (encoding preserved).
     */
    static void appendSafe(StringBuilder out, String param) {
        int length = param.length();
        for (int i = 0; i < length; i++) {
            char c = param.charAt(i);
            if (c == '%' && i + 2 < length && isHex(param.charAt(i + 1)) && isHex(param.charAt(i + 2))) {
                out.append(c);
            } else if (c < 128 && QUERY_SAFE[c]) {
                out.append(c);
            } else {
                percentEncode(out, c, param, i);
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(param.charAt(i + 1))) {
                    i++;
                }
            }
        }
    }

    private static void percentEncode(StringBuilder out, char c, String source, int index) {
        byte[] bytes;
        if (Character.isHighSurrogate(c)
                && index + 1 < source.length()
                && Character.isLowSurrogate(source.charAt(index + 1))) {
            bytes = source.substring(index, index + 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else {
            bytes = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        for (byte b : bytes) {
            out.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
        }
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final boolean[] QUERY_SAFE = new boolean[128];

    static {
        // RFC 3986 query characters: unreserved, sub-delims, ':', '@', '/', '?'. '%' is handled
        // separately, '#' cannot occur in a raw query, and '&' was the separator. ';' is escaped
        // although RFC 3986 allows it: some parsers (Python's before 3.9.2, servlet matrix
        // parameters) split a query on it, so "x=1;cref=X" would smuggle a cref past isCref.
        String safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*+,=:@/?";
        for (int i = 0; i < safe.length(); i++) {
            QUERY_SAFE[safe.charAt(i)] = true;
        }
    }
}
