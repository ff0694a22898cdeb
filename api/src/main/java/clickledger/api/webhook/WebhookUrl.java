package clickledger.api.webhook;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where an endpoint's deliveries go: an absolute http(s) URL with a host, at most 2,048
 * characters, without credentials (the client would not send them; a receiver that needs a
 * password checks the signature instead) or a fragment. Stored in its ASCII form. Whether the
 * host may be reached is {@link DestinationGuard}'s business.
 */
public record WebhookUrl(String value) {
    public static final int MAX_LENGTH = 2048;
    static final String FIELD = "url";

    public WebhookUrl {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(FIELD, "is required");
        }
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest(FIELD, "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' '
                    || Character.isISOControl(c)
                    || Character.isSpaceChar(c)
                    || Character.getType(c) == Character.FORMAT) {
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
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw ApiException.badRequest(FIELD, "must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.badRequest(FIELD, "must have a host (internationalized hosts in punycode)");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.badRequest(FIELD, "must not contain credentials (user:password@)");
        }
        if (uri.getRawFragment() != null) {
            throw ApiException.badRequest(FIELD, "must not have a fragment (#…)");
        }
        value = uri.toASCIIString();
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest(FIELD, "must be at most " + MAX_LENGTH + " characters once percent-encoded");
        }
    }

    public URI uri() {
        return URI.create(value);
    }

    /** The host without the brackets of an IPv6 literal, as a resolver wants it. */
    public String host() {
        String host = uri().getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
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
