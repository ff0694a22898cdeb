package clickledger.portal.web;

import io.javalin.http.Context;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The portal's cookies, written by hand so every attribute is visible here: {@code HttpOnly} and
 * {@code SameSite=Lax} always; {@code Secure} and the {@code __Host-} prefix when PORTAL_URL is
 * https (the prefix makes the browser refuse the cookie unless it is Secure, Path=/ and without a
 * Domain, so a sibling subdomain cannot plant one).
 *
 * <ul>
 *   <li>{@code cl_session}: the api session token, until the session's absolute expiry.
 *   <li>{@code cl_presession}: 32 random bytes for the forms shown before sign-in (sign in,
 *       install, accept an invitation), from which their CSRF token is derived.
 *   <li>{@code cl_flash}: a one-line notice for the page after a redirect, read once.
 * </ul>
 */
public final class Cookies {
    static final String SESSION = "cl_session";
    static final String PRESESSION = "cl_presession";
    static final String FLASH = "cl_flash";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean secure;
    private final String prefix;

    public Cookies(URI portalUrl) {
        this.secure = "https".equalsIgnoreCase(portalUrl.getScheme());
        this.prefix = secure ? "__Host-" : "";
    }

    public String sessionName() {
        return prefix + SESSION;
    }

    public String session(Context ctx) {
        return nonBlank(ctx.cookie(prefix + SESSION));
    }

    public void setSession(Context ctx, String token, Instant expiresAt, Instant now) {
        long seconds = Math.max(0, Duration.between(now, expiresAt).toSeconds());
        set(ctx, SESSION, token, seconds);
    }

    public void clearSession(Context ctx) {
        set(ctx, SESSION, "", 0);
    }

    public String presession(Context ctx) {
        return nonBlank(ctx.cookie(prefix + PRESESSION));
    }

    /** The pre-session secret, minted (and set for the browser's session) when there is none yet. */
    public String ensurePresession(Context ctx) {
        String existing = presession(ctx);
        if (existing != null) {
            return existing;
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        set(ctx, PRESESSION, value, -1);
        return value;
    }

    public void flash(Context ctx, String message) {
        set(ctx, FLASH, URLEncoder.encode(message, StandardCharsets.UTF_8), 60);
    }

    /** The notice left by the previous request, removed as it is read. */
    public String takeFlash(Context ctx) {
        String value = nonBlank(ctx.cookie(prefix + FLASH));
        if (value == null) {
            return null;
        }
        set(ctx, FLASH, "", 0);
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    /** @param maxAgeSeconds -1 for a cookie that ends with the browser session, 0 to delete */
    private void set(Context ctx, String name, String value, long maxAgeSeconds) {
        StringBuilder cookie =
                new StringBuilder(prefix).append(name).append('=').append(value).append("; Path=/");
        if (maxAgeSeconds >= 0) {
            cookie.append("; Max-Age=").append(maxAgeSeconds);
        }
        cookie.append("; HttpOnly; SameSite=Lax");
        if (secure) {
            cookie.append("; Secure");
        }
        ctx.res().addHeader("Set-Cookie", cookie.toString());
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
