package clickledger.router.domain;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;

/**
 * The router's current {@link DomainTable}: read on every request without a lock, replaced whole
 * when the domains change (a NOTIFY, the periodic check, or a snapshot at start).
 */
public final class Domains {
    private final Domain defaultDomain;
    private final List<String> defaultHosts;
    private volatile DomainTable table;

    /**
     * @param cookieDomain COOKIE_DOMAIN, for the default host's cookie; null for none
     * @param defaultHosts the names served as the default host
     */
    public Domains(String cookieDomain, Collection<String> defaultHosts) {
        this.defaultDomain = Domain.defaultHost(cookieDomain);
        this.defaultHosts = List.copyOf(requireNonNull(defaultHosts, "defaultHosts is null"));
        this.table = DomainTable.of(defaultDomain, this.defaultHosts, List.of());
    }

    public DomainTable table() {
        return table;
    }

    /** Installs {@code custom} as the custom domains; true when that changed anything. */
    public boolean replace(Collection<Domain> custom) {
        DomainTable next = DomainTable.of(defaultDomain, defaultHosts, custom);
        DomainTable current = table;
        if (next.fingerprint() == current.fingerprint()
                && next.custom().size() == current.custom().size()) {
            return false;
        }
        table = next;
        return true;
    }
}
