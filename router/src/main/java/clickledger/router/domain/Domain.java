package clickledger.router.domain;

import java.util.Locale;
import java.util.UUID;

/**
 * A host the router answers links on: a program's custom short domain, or {@link #isDefault the
 * default}, which stands for the router's own host(s) (PUBLIC_ROUTER_URL, ROUTER_DEFAULT_HOSTS,
 * localhost and IP literals) and holds the links that have no custom domain.
 *
 * @param idHigh the domain id's most significant bits; 0 with {@code idLow} 0 for the default
 * @param idLow the domain id's least significant bits
 * @param hostname lower case, punycode, no port or trailing dot; null for the default
 * @param dedicated the bare {@code host/{slug}} redirects too, not only {@code host/r/{slug}}
 * @param cookieDomain the {@code Domain=} of the {@code _cref} cookie set on this host; null for
 *     a host-only cookie
 */
public record Domain(long idHigh, long idLow, String hostname, boolean dedicated, String cookieDomain) {

    /** The router's own host(s), with COOKIE_DOMAIN for its cookie. */
    public static Domain defaultHost(String cookieDomain) {
        return new Domain(0, 0, null, false, cookieDomain);
    }

    /** A custom domain; the hostname is lower-cased (the api stores it so, a hand-made row may not). */
    public static Domain custom(UUID id, String hostname, boolean dedicated, String cookieDomain) {
        return new Domain(
                id.getMostSignificantBits(),
                id.getLeastSignificantBits(),
                hostname.toLowerCase(Locale.ROOT),
                dedicated,
                cookieDomain);
    }

    public boolean isDefault() {
        return idHigh == 0 && idLow == 0;
    }

    public UUID id() {
        return new UUID(idHigh, idLow);
    }
}
