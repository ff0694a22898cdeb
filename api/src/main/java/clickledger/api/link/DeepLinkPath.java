package clickledger.api.link;

import clickledger.api.value.DestinationUrl;
import clickledger.web.ApiException;
import java.net.URI;

/**
 * A deep link a partner stores on its own link (issue 19): a path, with its query, on the
 * program's destination host. Only a path: the host is always the program's, so a partner
 * cannot point the merchant's links at another site. The same characters as the router's
 * {@code ?to=} check allow (RFC 3986's, with other characters percent-encoded).
 */
public final class DeepLinkPath {
    public static final int MAX_LENGTH = 1_024;
    private static final String FIELD = "path";
    private static final boolean[] URL_CHARACTER = new boolean[128];

    static {
        String allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
        for (int i = 0; i < allowed.length(); i++) {
            URL_CHARACTER[allowed.charAt(i)] = true;
        }
    }

    private DeepLinkPath() {}

    /** The path as given, when it is one: starts with a single '/', URL characters only. */
    public static String check(String path) {
        if (path == null || path.isEmpty()) {
            throw ApiException.badRequest(FIELD, "must be a path starting with /, like /pricing");
        }
        if (path.length() > MAX_LENGTH) {
            throw ApiException.badRequest(FIELD, "must be at most " + MAX_LENGTH + " characters");
        }
        if (path.charAt(0) != '/' || (path.length() > 1 && (path.charAt(1) == '/' || path.charAt(1) == '\\'))) {
            throw ApiException.badRequest(
                    FIELD, "must be a path on the program's site starting with a single /, like /pricing");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c >= 128 || !URL_CHARACTER[c]) {
                throw ApiException.badRequest(
                        FIELD, "must contain only URL characters (percent-encode spaces and other characters)");
            }
        }
        return path;
    }

    /** The path on the program's destination host, checked again as a whole URL on that host. */
    static DestinationUrl on(DestinationUrl programDestination, String path) {
        URI program = URI.create(programDestination.value());
        String origin = program.getScheme() + "://" + program.getRawAuthority();
        DestinationUrl url;
        try {
            url = new DestinationUrl(origin + check(path));
        } catch (ApiException e) {
            if (e.status() != 400 || e.fieldErrors().isEmpty()) {
                throw e;
            }
            throw ApiException.badRequest(FIELD, e.fieldErrors().getFirst().message());
        }
        if (!program.getRawAuthority().equalsIgnoreCase(URI.create(url.value()).getRawAuthority())) {
            throw ApiException.badRequest(FIELD, "must stay on the program's site");
        }
        return url;
    }
}
