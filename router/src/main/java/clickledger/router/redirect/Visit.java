package clickledger.router.redirect;

import clickledger.router.click.ClientResolver;

/**
 * What deciding a redirect reads from a request, whichever HTTP layer parsed it: Jetty's, or the
 * router's own for plain redirect requests (decision 0037).
 */
public interface Visit {
    /** GET or HEAD; anything else is answered 405 by {@link RedirectHandler#route}. */
    String method();

    /** The raw query, not decoded; null when there is none. */
    String query();

    String userAgent();

    String referer();

    /** The visitor's address, scheme and country, forwarded headers read only from trusted peers. */
    ClientResolver.Client client(ClientResolver clients);

    /** {@link System#nanoTime()} when the request arrived. */
    long beginNanos();
}
