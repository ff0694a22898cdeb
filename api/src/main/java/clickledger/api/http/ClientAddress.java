package clickledger.api.http;

import clickledger.common.net.Cidr;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling, by network address. The socket address is the client unless it is a trusted
 * proxy (TRUSTED_PROXIES); only then is {@code X-Forwarded-For} believed, because anyone else can
 * write it. The same rule as the router's, so both name a visitor alike.
 */
public final class ClientAddress {
    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** Empty only when the socket address cannot be read, which Jetty does not do for TCP. */
    public Optional<InetAddress> of(Context ctx) {
        return resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    Optional<InetAddress> resolve(String socketAddress, String forwardedFor) {
        Optional<InetAddress> socket = Cidr.IpLiteral.parse(socketAddress);
        if (socket.isEmpty() || !trusted(socket.get()) || forwardedFor == null || forwardedFor.isEmpty()) {
            return socket;
        }
        // Walk from the nearest hop outwards; the first address that is not one of our proxies is
        // the client. Entries to its left were written by the client itself.
        InetAddress client = socket.get();
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
        return Optional.of(client);
    }

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
