package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import clickledger.common.net.Cidr;
import clickledger.common.net.ForwardedFor;
import java.net.InetAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Who the client is. The socket address is the client unless it is a trusted proxy
 * (TRUSTED_PROXIES); only then are {@code X-Forwarded-For} (every line of it, see
 * {@link ForwardedFor}), {@code X-Forwarded-Proto} and {@code CF-IPCountry} believed, because
 * anyone else can send them. The country is the trusted CDN header's when there is one, else the
 * GeoIP database's for the client address ({@link GeoIp}; null without a database).
 */
public final class ClientResolver {
    public record Client(InetAddress address, boolean secure, String country) {}

    // One String per code, shared by every click, cache entry and table slot that holds it: a
    // fresh String per lookup left each GeoIP table entry pointing at its own copy, two more
    // cache lines to miss per redirect for what is one of 676 values (decision 0022).
    private static final String[] COUNTRY_CODES = new String[26 * 26];

    static {
        for (char first = 'A'; first <= 'Z'; first++) {
            for (char second = 'A'; second <= 'Z'; second++) {
                COUNTRY_CODES[(first - 'A') * 26 + (second - 'A')] = new String(new char[] {first, second});
            }
        }
    }

    private final List<Cidr> trustedProxies;
    private final GeoIp geoIp;

    public ClientResolver(List<Cidr> trustedProxies, GeoIp geoIp) {
        this.trustedProxies = List.copyOf(trustedProxies);
        this.geoIp = requireNonNull(geoIp, "geoIp is null");
    }

    /** The hot-path form: the forwarded headers are not even looked up unless the peer is trusted. */
    public Client resolve(InetAddress socketAddress, boolean socketSecure, HttpFields headers) {
        if (socketAddress == null || !ForwardedFor.trusted(trustedProxies, socketAddress)) {
            return new Client(socketAddress, socketSecure, geoIp.country(socketAddress));
        }
        return resolve(
                socketAddress,
                socketSecure,
                headers.getValuesList(HttpHeader.X_FORWARDED_FOR),
                headers.get(HttpHeader.X_FORWARDED_PROTO),
                headers.get("CF-IPCountry"));
    }

    /**
     * @param forwardedFor every {@code X-Forwarded-For} line, in the order received
     */
    public Client resolve(
            InetAddress socketAddress,
            boolean socketSecure,
            List<String> forwardedFor,
            String forwardedProto,
            String cfCountry) {
        if (socketAddress == null || !ForwardedFor.trusted(trustedProxies, socketAddress)) {
            return new Client(socketAddress, socketSecure, geoIp.country(socketAddress));
        }
        InetAddress client = ForwardedFor.client(trustedProxies, socketAddress, forwardedFor);
        boolean secure = socketSecure || "https".equalsIgnoreCase(forwardedProto);
        String country = countryCode(cfCountry);
        return new Client(client, secure, country != null ? country : geoIp.country(client));
    }

    /**
     * A two-letter country code in upper case, or null for anything else, including Cloudflare's
     * {@code XX} (unknown) and {@code T1} (Tor).
     */
    static String countryCode(String value) {
        if (value == null || value.length() != 2 || value.equalsIgnoreCase("XX")) {
            return null;
        }
        char first = Character.toUpperCase(value.charAt(0));
        char second = Character.toUpperCase(value.charAt(1));
        if (first < 'A' || first > 'Z' || second < 'A' || second > 'Z') {
            return null;
        }
        return COUNTRY_CODES[(first - 'A') * 26 + (second - 'A')];
    }
}
