package clickledger.api.value;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the router sends a visitor. Only absolute http(s) URLs with a host: anything else
 * (javascript:, data:, ftp:, relative paths) would turn the router into an open door for script
 * or phishing payloads. Stored in its ASCII form, since it ends up in a Location header.
 */
public record DestinationUrl(String value) {
    public static final int MAX_LENGTH = 2048;
    private static final String FIELD = "destinationUrl";

    public DestinationUrl {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(FIELD, "is required");
        }
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest(FIELD, "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (isHidden(value.charAt(i))) {
                throw ApiException.badRequest(FIELD, "must not contain spaces or control characters");
            }
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(FIELD, "is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw ApiException.badRequest(FIELD, "must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.badRequest(FIELD, "must have a host (internationalized hosts in punycode)");
        }
        value = uri.toASCIIString();
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest(FIELD, "must be at most " + MAX_LENGTH + " characters once percent-encoded");
        }
    }

    // Whitespace, control and format characters (zero-width, bidi overrides) can hide what a URL
    // really points at, and break the Location header.
    private static boolean isHidden(char c) {
        return c <= ' '
                || Character.isISOControl(c)
                || Character.isWhitespace(c)
                || Character.isSpaceChar(c)
                || Character.getType(c) == Character.FORMAT;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
