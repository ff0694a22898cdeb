package clickledger.common.net;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who the client is behind trusted proxies (TRUSTED_PROXIES), from {@code X-Forwarded-For}: the
 * router and the api name a visitor by the same rule.
 *
 * <p>The header may arrive as several lines (HAProxy, some CDNs add a line of their own instead of
 * appending to the last one); HTTP says they mean one comma-separated list in the order received.
 * So the lines are read as one list and walked from the right, the nearest hop: every address that
 * is one of our proxies is skipped, and the first that is not is the client. Anything to its left
 * was written by the client itself and proves nothing.
 */
public final class ForwardedFor {
    private ForwardedFor() {}

    /**
     * @param socket the peer of the TCP connection
     * @param lines the {@code X-Forwarded-For} header lines, in the order received (may be empty)
     * @return the client: {@code socket} unless it is a trusted proxy and the lines name a hop
     */
    public static InetAddress client(List<Cidr> trustedProxies, InetAddress socket, List<String> lines) {
        if (socket == null || !trusted(trustedProxies, socket)) {
            return socket;
        }
        InetAddress client = socket;
        for (int line = lines.size() - 1; line >= 0; line--) {
            String value = lines.get(line);
            int end = value.length();
            while (end >= 0) {
                int start = value.lastIndexOf(',', end - 1);
                String hop = value.substring(start + 1, end).trim();
                end = start;
                if (hop.isEmpty()) {
                    continue; // "a, , b" or a trailing comma: no hop there
                }
                Optional<InetAddress> address = Cidr.IpLiteral.parse(hop);
                if (address.isEmpty()) {
                    return client; // garbage ends the chain: never trust what lies beyond it
                }
                client = address.get();
                if (!trusted(trustedProxies, client)) {
                    return client;
                }
            }
        }
        return client;
    }

    public static boolean trusted(List<Cidr> trustedProxies, InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
