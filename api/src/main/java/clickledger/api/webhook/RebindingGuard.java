package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Closes {@link DestinationGuard}'s DNS-rebinding gap: the guard resolves a webhook's host and
 * checks the addresses, then Java's {@code HttpClient} resolves the host again when it connects,
 * and a hostile DNS server with a short TTL could answer that second lookup with a private
 * address. Every lookup in the JVM goes through {@code InetAddress}, which asks the installed
 * {@link InetAddressResolverProvider}; this one is installed (META-INF/services) and refuses, for a
 * host the guard has passed, any answer holding an address the guard would refuse. So whatever
 * the timing, the address the client connects to has passed the same check (decision 0003).
 *
 * <p>JVM-wide by necessity (the JDK loads one provider for the process), hence the static set.
 * Only hosts that passed the check with private addresses refused are in it, so the api's own
 * lookups of private hosts (its database, a mail relay) are never touched: a host whose check
 * failed is not added. The JVM's address cache (30 s) sits in front of this resolver and only ever
 * holds answers that went through it.
 */
public final class RebindingGuard extends InetAddressResolverProvider {
    // Bounded: past it the set starts over, and each host is added again by the check that runs
    // before its next attempt. An operator has far fewer webhook hosts than this.
    private static final int MAX_HOSTS = 100_000;
    private static final Set<String> GUARDED = ConcurrentHashMap.newKeySet();

    /** Called by {@link DestinationGuard} once {@code host} passed its check with private addresses refused. */
    static void guard(String host) {
        if (GUARDED.size() >= MAX_HOSTS) {
            GUARDED.clear();
        }
        GUARDED.add(normalize(host));
    }

    static boolean guarded(String host) {
        return !GUARDED.isEmpty() && GUARDED.contains(normalize(host));
    }

    // DNS names compare without case and without the root's trailing dot.
    private static String normalize(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        return new Resolver(configuration.builtinResolver());
    }

    @Override
    public String name() {
        return "clickledger-webhook-rebinding-guard";
    }

    /** The JDK's resolver, with the guarded hosts' answers checked. */
    static final class Resolver implements InetAddressResolver {
        private final InetAddressResolver delegate;

        Resolver(InetAddressResolver delegate) {
            this.delegate = requireNonNull(delegate, "delegate is null");
        }

        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
            Stream<InetAddress> found = delegate.lookupByName(host, policy);
            if (!guarded(host)) {
                return found;
            }
            List<InetAddress> addresses = found.toList();
            for (InetAddress address : addresses) {
                Optional<String> range = DestinationGuard.refusedRange(address);
                if (range.isPresent()) {
                    throw new UnknownHostException("webhook host " + host + " now resolves to "
                            + address.getHostAddress() + ", " + range.get()
                            + " address; refused (it passed the destination check with public addresses)");
                }
            }
            return addresses.stream();
        }

        @Override
        public String lookupByAddress(byte[] address) throws UnknownHostException {
            return delegate.lookupByAddress(address);
        }
    }
}
