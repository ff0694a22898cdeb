package clickledger.router.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Which {@link Domain} a request's {@code Host} names, answered without allocating: the header's
 * characters are hashed and compared in place, lower-cased on the fly, with the port and a
 * trailing dot left out, so no normalised copy of the host is built per request. Immutable; a
 * change of domains builds a new table ({@link Domains}).
 *
 * <p>An open-addressing array at most half full, keyed by hostname: the custom domains plus the
 * configured names of the default host. Bounded by the number of domains in the database.
 */
public final class DomainTable {
    // RFC 1035: a name is at most 253 characters written without the trailing dot.
    static final int MAX_HOSTNAME = 253;

    private final Domain defaultDomain;
    private final List<Domain> custom;
    // Parallel arrays: the name each slot answers for (the default host has several) and its domain.
    private final String[] names;
    private final Domain[] slots;
    private final long fingerprint;

    private DomainTable(Domain defaultDomain, List<String> defaultHosts, List<Domain> custom) {
        this.defaultDomain = defaultDomain;
        this.custom = List.copyOf(custom);
        int capacity = Integer.highestOneBit(Math.max(8, (defaultHosts.size() + custom.size()) * 2) * 2 - 1);
        this.names = new String[capacity];
        this.slots = new Domain[capacity];
        for (String host : defaultHosts) {
            insert(host, defaultDomain);
        }
        // After the default names: a custom domain of the same name (which the api refuses) wins.
        long hash = 0;
        for (Domain domain : custom) {
            insert(domain.hostname(), domain);
            hash ^= mix(domain);
        }
        this.fingerprint = hash;
    }

    /**
     * @param defaultDomain the router's own host(s)
     * @param defaultHosts names served as the default host, in any case (PUBLIC_ROUTER_URL's host,
     *     ROUTER_DEFAULT_HOSTS)
     * @param custom the custom domains, hostnames normalised as the api stores them
     */
    public static DomainTable of(Domain defaultDomain, Collection<String> defaultHosts, Collection<Domain> custom) {
        List<String> names = new ArrayList<>();
        for (String host : defaultHosts) {
            String name = host.toLowerCase(Locale.ROOT);
            // localhost and addresses are the default host anyway, and never asked for a certificate.
            if (!name.equals("localhost") && !ipv4(name, name.length())) {
                names.add(name);
            }
        }
        return new DomainTable(defaultDomain, names, List.copyOf(custom));
    }

    /**
     * The domain a {@code Host} header names; null when the router does not know the host. No
     * header (HTTP/1.0), an IP literal and {@code localhost} are the default host: a custom domain
     * is never an address, and health checks, load tests and {@code make run} reach the router so.
     */
    public Domain route(String host) {
        if (host == null || host.isEmpty() || host.charAt(0) == '[') {
            return defaultDomain;
        }
        int end = end(host);
        if (end <= 0 || end > MAX_HOSTNAME) {
            return null;
        }
        Domain found = find(host, end);
        if (found != null) {
            return found;
        }
        if (ipv4(host, end) || (end == 9 && host.regionMatches(true, 0, "localhost", 0, 9))) {
            return defaultDomain;
        }
        return null;
    }

    /**
     * The ask of Caddy's on-demand TLS: true only for a custom domain or a configured name of the
     * default host, never for an address or {@code localhost} (no certificate is asked for those).
     */
    public boolean known(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_HOSTNAME + 1) {
            return false;
        }
        int end = name.length();
        if (name.charAt(end - 1) == '.') {
            end--;
        }
        return end > 0 && find(name, end) != null;
    }

    public Domain defaultDomain() {
        return defaultDomain;
    }

    /** The custom domains, for the snapshot. */
    public List<Domain> custom() {
        return custom;
    }

    /** Order-independent hash of the custom domains: equal tables, equal fingerprints. */
    public long fingerprint() {
        return fingerprint;
    }

    // Where the name ends: before a port, then before one trailing dot.
    private static int end(String host) {
        int end = host.length();
        int colon = host.lastIndexOf(':', end - 1);
        if (colon >= 0) {
            end = colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return end;
    }

    private static boolean ipv4(String host, int end) {
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    private Domain find(String host, int end) {
        int mask = slots.length - 1;
        for (int slot = slot(hash(host, end), mask); ; slot = (slot + 1) & mask) {
            String name = names[slot];
            if (name == null) {
                return null;
            }
            if (name.length() == end && host.regionMatches(true, 0, name, 0, end)) {
                return slots[slot];
            }
        }
    }

    private void insert(String name, Domain domain) {
        int mask = slots.length - 1;
        int slot = slot(name.hashCode(), mask);
        while (names[slot] != null && !names[slot].equals(name)) {
            slot = (slot + 1) & mask;
        }
        names[slot] = name;
        slots[slot] = domain;
    }

    // The same value as the lower-cased name's String.hashCode(), computed over the header in place.
    private static int hash(String host, int end) {
        int h = 0;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            h = 31 * h + c;
        }
        return h;
    }

    private static int slot(int hash, int mask) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private static long mix(Domain domain) {
        long h = domain.idHigh() * 0x9E3779B97F4A7C15L ^ domain.idLow();
        h = h * 31 + domain.hostname().hashCode();
        h = h * 31 + (domain.dedicated() ? 1 : 0);
        h = h * 31 + (domain.cookieDomain() == null ? 0 : domain.cookieDomain().hashCode());
        return h * 0xBF58476D1CE4E5B9L;
    }
}
