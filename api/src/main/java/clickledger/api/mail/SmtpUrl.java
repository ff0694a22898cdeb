package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SMTP_URL: {@code smtp://user:pass@host:587} (plain connection, upgraded with STARTTLS) or {@code
 * smtps://user:pass@host:465} (TLS from the first byte). User and password are percent-encoded in
 * the URL ({@code %40} for an {@code @}); both may be left out for a relay that needs no login.
 * {@link #toString()} never shows the password.
 *
 * @param port 587 when an smtp URL names none (the submission port), 465 for smtps
 * @param user null without a login
 * @param password null without a login
 */
public record SmtpUrl(boolean tls, String host, int port, String user, String password) {
    public static final int SUBMISSION_PORT = 587;
    public static final int SMTPS_PORT = 465;

    public SmtpUrl {
        requireNonNull(host, "host is null");
    }

    /**
     * @throws IllegalArgumentException saying what is wrong, without repeating the URL (it may hold a
     *     password)
     */
    public static SmtpUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL such as smtp://user:pass@host:587");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls;
        switch (scheme) {
            case "smtp" -> tls = false;
            case "smtps" -> tls = true;
            default -> throw new IllegalArgumentException("must start with smtp:// or smtps://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("names no host (smtp://user:pass@host:587)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must be only scheme, login, host and port (smtp://user:pass@host:587)");
        }
        int port = uri.getPort() == -1 ? (tls ? SMTPS_PORT : SUBMISSION_PORT) : uri.getPort();
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        return new SmtpUrl(tls, uri.getHost(), port, user, password);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has a login that is not percent-encoded correctly");
        }
    }

    /** {@code smtps://mail.example.com:465 (as user)}, for the log and the settings page. */
    public String describe() {
        return (tls ? "smtps://" : "smtp://") + host + ":" + port + (user == null ? "" : " (as " + user + ")");
    }

    @Override
    public String toString() {
        return "SmtpUrl[" + describe() + ", password=<redacted>]";
    }
}
