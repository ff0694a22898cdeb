package clickledger.portal.api;

/**
 * On whose behalf the portal calls the api: the signed-in person's session token (null for the
 * public routes: install, sign-in, invitations), the {@code X-Forwarded-For} chain that ends with
 * the person's address as the portal saw it, the browser's {@code User-Agent} (the api records it
 * with a new session) and the portal request's id, so one id follows a page through both logs. Carried explicitly rather than in thread-locals because a page fetches in
 * parallel on other threads.
 *
 * <p>Never printed: {@link #toString} leaves the token out, so a log line cannot leak it.
 */
public record Caller(String token, String forwardedFor, String userAgent, String requestId) {
    public static Caller anonymous(String forwardedFor, String userAgent, String requestId) {
        return new Caller(null, forwardedFor, userAgent, requestId);
    }

    public Caller withToken(String newToken) {
        return new Caller(newToken, forwardedFor, userAgent, requestId);
    }

    public boolean signedIn() {
        return token != null;
    }

    @Override
    public String toString() {
        return "Caller[token=" + (token == null ? "none" : "<redacted>") + ", forwardedFor=" + forwardedFor + "]";
    }
}
