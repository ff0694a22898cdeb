package clickledger.api.http;

import clickledger.common.net.Cidr;
import clickledger.common.net.ForwardedFor;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling, by network address. The socket address is the client unless it is a trusted
 * proxy (TRUSTED_PROXIES); only then is {@code X-Forwarded-For} believed, because anyone else can
 * write it. The same rule as the router's ({@link ForwardedFor}), so both name a visitor alike.
 */
public final class ClientAddress {
    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** Empty only when the socket address cannot be read, which Jetty does not do for TCP. */
    public Optional<InetAddress> of(Context ctx) {
        return resolve(ctx.req().getRemoteAddr(), Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
    }

    /**
     * @param forwardedFor every {@code X-Forwarded-For} line, in the order received: several lines
     *     are one list ({@link ForwardedFor})
     */
    Optional<InetAddress> resolve(String socketAddress, List<String> forwardedFor) {
        return Cidr.IpLiteral.parse(socketAddress)
                .map(socket -> ForwardedFor.client(trustedProxies, socket, forwardedFor));
    }
}
