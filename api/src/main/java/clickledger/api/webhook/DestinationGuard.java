package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The SSRF guard: a webhook must not become a way to make the api call into its own network. The
 * host is resolved and refused when any of its addresses is loopback, unspecified, link-local
 * (which holds the cloud metadata address 169.254.169.254), private (RFC 1918, fc00::/7),
 * carrier-grade NAT (100.64.0.0/10), multicast, broadcast or otherwise reserved, including IPv4
 * addresses hidden in IPv6 forms (mapped, compatible, NAT64, 6to4). WEBHOOK_ALLOW_PRIVATE turns it
 * off for development and tests.
 *
 * <p>Checked when an endpoint is registered or its URL changes, and again before every attempt,
 * since DNS answers change. The HTTP client resolves the host again when it connects (Java's
 * HttpClient cannot be handed the checked address while keeping TLS name checks); a host that
 * passed is handed to {@link RebindingGuard}, the JVM's resolver, which refuses a private answer
 * for it at that second lookup too, so a DNS server that rebinds between the two cannot slip a
 * private address in.
 */
public final class DestinationGuard {
    /** Resolves a host name (or literal address) to its addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * The outcome of a check.
     *
     * @param refusal null when the destination may be called, else why not (for the client)
     */
    public record Verdict(String refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    private static final Verdict ALLOWED = new Verdict(null);

    private final boolean allowPrivate;
    private final Resolver resolver;
    // Told each host that passed with private addresses refused: RebindingGuard for the system's
    // resolver. A test's made-up answers must not reach the JVM-wide guard.
    private final Consumer<String> passed;

    public DestinationGuard(boolean allowPrivate, Resolver resolver) {
        this(allowPrivate, resolver, host -> {});
    }

    DestinationGuard(boolean allowPrivate, Resolver resolver, Consumer<String> passed) {
        this.allowPrivate = allowPrivate;
        this.resolver = requireNonNull(resolver, "resolver is null");
        this.passed = requireNonNull(passed, "passed is null");
    }

    public static DestinationGuard system(boolean allowPrivate) {
        return new DestinationGuard(allowPrivate, InetAddress::getAllByName, RebindingGuard::guard);
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    public Verdict check(WebhookUrl url) {
        return checkHost(url.host());
    }

    /** {@link #check(WebhookUrl)} of a URL's host ({@link WebhookUrl#host()}), already taken out. */
    public Verdict checkHost(String host) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException e) {
            return new Verdict("host " + host + " does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            return new Verdict("host " + host + " does not resolve");
        }
        if (allowPrivate) {
            return ALLOWED;
        }
        for (InetAddress address : addresses) {
            Optional<String> range = refusedRange(address);
            if (range.isPresent()) {
                return new Verdict("host " + host + " resolves to " + address.getHostAddress() + ", " + range.get()
                        + " address; only public addresses are allowed (WEBHOOK_ALLOW_PRIVATE=true lifts this)");
            }
        }
        // Only now: a host that failed (the api's own database, say) must never be filtered.
        passed.accept(host);
        return ALLOWED;
    }

    /** What kind of non-public address this is, as "a loopback"; empty for a public address. */
    static Optional<String> refusedRange(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return refusedIpv4(bytes, 0);
        }
        if (address instanceof Inet6Address) {
            return refusedIpv6(bytes);
        }
        return Optional.of("an unknown kind of");
    }

    private static Optional<String> refusedIpv4(byte[] bytes, int offset) {
        int a = bytes[offset] & 0xff;
        int b = bytes[offset + 1] & 0xff;
        int c = bytes[offset + 2] & 0xff;
        if (a == 0) {
            return Optional.of("an unspecified (0.0.0.0/8)");
        }
        if (a == 127) {
            return Optional.of("a loopback");
        }
        if (a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168)) {
            return Optional.of("a private");
        }
        if (a == 100 && (b & 0xc0) == 64) {
            return Optional.of("a carrier-grade NAT (100.64.0.0/10)");
        }
        if (a == 169 && b == 254) {
            return Optional.of("a link-local (cloud metadata lives here)");
        }
        if (a >= 224 && a <= 239) {
            return Optional.of("a multicast");
        }
        if (a >= 240) {
            return Optional.of("a reserved or broadcast");
        }
        boolean reserved = (a == 192 && b == 0 && (c == 0 || c == 2))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 198 && b == 51 && c == 100)
                || (a == 203 && b == 0 && c == 113);
        return reserved ? Optional.of("a reserved") : Optional.empty();
    }

    private static Optional<String> refusedIpv6(byte[] bytes) {
        if (isZero(bytes, 0, 16)) {
            return Optional.of("an unspecified (::)");
        }
        if (isZero(bytes, 0, 15) && bytes[15] == 1) {
            return Optional.of("a loopback");
        }
        // IPv4 inside IPv6: ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64).
        boolean mapped = isZero(bytes, 0, 10) && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
        boolean compatible = isZero(bytes, 0, 12);
        boolean nat64 = (bytes[0] & 0xff) == 0x00
                && (bytes[1] & 0xff) == 0x64
                && (bytes[2] & 0xff) == 0xff
                && (bytes[3] & 0xff) == 0x9b
                && isZero(bytes, 4, 12);
        if (mapped || compatible || nat64) {
            return refusedIpv4(bytes, 12);
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        if (first == 0x20 && second == 0x02) { // 6to4: 2002:a.b.c.d::/48
            return refusedIpv4(bytes, 2);
        }
        if ((first & 0xfe) == 0xfc) {
            return Optional.of("a private (fc00::/7)");
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return Optional.of("a link-local");
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return Optional.of("a site-local");
        }
        if (first == 0xff) {
            return Optional.of("a multicast");
        }
        boolean documentation =
                first == 0x20 && second == 0x01 && (bytes[2] & 0xff) == 0x0d && (bytes[3] & 0xff) == 0xb8;
        boolean discard = first == 0x01 && second == 0x00 && isZero(bytes, 2, 8);
        return documentation || discard ? Optional.of("a reserved") : Optional.empty();
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
