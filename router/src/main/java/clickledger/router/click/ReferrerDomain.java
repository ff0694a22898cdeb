package clickledger.router.click;

/**
 * The host of a Referer, as the stats group by it (CONTRACT-19): lower case, a leading
 * {@code www.} removed, no port; null when the header is absent or is not an absolute http(s) URL
 * with a plausible host. A hand-written scan rather than {@link java.net.URI}: it runs per
 * redirect, and browsers send referrers that URI rejects (unencoded spaces, pipes in the query).
 */
public final class ReferrerDomain {
    // DNS allows 253 characters; anything longer in a Referer is not a host name.
    private static final int HOST_MAX = 253;

    private ReferrerDomain() {}

    public static String of(String referer) {
        if (referer == null) {
            return null;
        }
        int start;
        if (referer.regionMatches(true, 0, "https://", 0, 8)) {
            start = 8;
        } else if (referer.regionMatches(true, 0, "http://", 0, 7)) {
            start = 7;
        } else {
            return null; // android-app://, about:blank, a bare word: no web host to count
        }
        int end = start;
        while (end < referer.length()) {
            char c = referer.charAt(end);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            end++;
        }
        int at = referer.lastIndexOf('@', end - 1);
        if (at >= start) {
            start = at + 1; // user:password@host
        }
        int hostEnd = end;
        if (start < end && referer.charAt(start) == '[') {
            int close = referer.indexOf(']', start);
            if (close < 0 || close >= end) {
                return null;
            }
            hostEnd = close + 1; // an IPv6 literal keeps its brackets
        } else {
            int colon = referer.indexOf(':', start);
            if (colon >= 0 && colon < end) {
                hostEnd = colon;
            }
        }
        if (hostEnd > start && referer.charAt(hostEnd - 1) == '.') {
            hostEnd--; // the root label: example.com. is example.com
        }
        if (hostEnd <= start || hostEnd - start > HOST_MAX) {
            return null;
        }
        if (referer.charAt(start) != '[') {
            for (int i = start; i < hostEnd; i++) {
                char c = referer.charAt(i);
                boolean allowed = (c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || c == '-'
                        || c == '.'
                        || c == '_';
                if (!allowed) {
                    return null;
                }
            }
        }
        if (hostEnd - start > 4 && referer.regionMatches(true, start, "www.", 0, 4)) {
            start += 4;
        }
        return lower(referer, start, hostEnd);
    }

    private static String lower(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = new char[end - start];
                for (int j = start; j < end; j++) {
                    char d = text.charAt(j);
                    chars[j - start] = d >= 'A' && d <= 'Z' ? (char) (d + ('a' - 'A')) : d;
                }
                return new String(chars);
            }
        }
        return text.substring(start, end);
    }
}
