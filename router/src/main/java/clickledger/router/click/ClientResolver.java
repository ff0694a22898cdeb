package clickledger.router.click;

import clickledger.common.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who the client is. The socket address is the client unless it is a trusted proxy
 * (TRUSTED_PROXIES); only then are {@code X-Forwarded-For}, {@code X-Forwarded-Proto} and
 * {@code CF-IPCountry} believed, because anyone else can send them.
 */
public final class ClientResolver {
    public record Client(InetAddress address, boolean secure, String country) {}

    private final List<Cidr> trustedProxies;

    public ClientResolver(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public Client resolve(
            InetAddress socketAddress,
            boolean socketSecure,
            String forwardedFor,
            String forwardedProto,
            String cfCountry) {
        if (socketAddress == null || !trusted(socketAddress)) {
            return new Client(socketAddress, socketSecure, null);
        }
        InetAddress client = socketAddress;
        if (forwardedFor != null && !forwardedFor.isEmpty()) {
            // Walk from the nearest hop outwards; the first address that is not one of our
            // proxies is the client. Entries to its left were written by the client itself.
            String[] hops = forwardedFor.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                Optional<InetAddress> hop = Cidr.IpLiteral.parse(hops[i].trim());
                if (hop.isEmpty()) {
                    break;
                }
                client = hop.get();
                if (!trusted(client)) {
                    break;
                }
            }
        }
        boolean secure = socketSecure || "https".equalsIgnoreCase(forwardedProto);
        return new Client(client, secure, country(cfCountry));
    }

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String country(String value) {
        if (value == null || value.length() != 2) {
            return null;
        }
        char first = Character.toUpperCase(value.charAt(0));
        char second = Character.toUpperCase(value.charAt(1));
        if (first < 'A' || first > 'Z' || second < 'A' || second > 'Z') {
            return null;
        }
        return new String(new char[] {first, second});
    }
}
