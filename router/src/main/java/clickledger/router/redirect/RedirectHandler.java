package clickledger.router.redirect;

import static java.util.Objects.requireNonNull;

import clickledger.common.id.Ulid;
import clickledger.router.click.Click;
import clickledger.router.click.ClickTimeline;
import clickledger.router.click.ClickWriter;
import clickledger.router.click.ClientResolver;
import clickledger.router.click.IpHasher;
import clickledger.router.click.ReferrerDomain;
import clickledger.router.click.UserAgents;
import clickledger.router.click.VelocityTracker;
import clickledger.router.domain.Domain;
import clickledger.router.link.LinkCache;
import clickledger.router.link.LinkTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Decides the answer to {@code GET|HEAD /r/{slug}} (SPEC "Router contract"), and to the bare
 * {@code /{slug}} of a dedicated custom domain, on the domain the request's host named. Per request it only
 * parses, looks the slug up in memory, builds the click, and hands it to {@link ClickWriter}; the
 * 302 leaves when the writer reports the click durable. Nothing here blocks.
 */
public final class RedirectHandler {
    public static final String PREFIX = "/r/";
    /**
     * The fraud flag of a click on a link that does not pay when it is followed (link paused,
     * partner revoked or membership ended, program ended or not started): recorded, counted in
     * clicks, never billable, never attributed.
     */
    public static final String INACTIVE = "inactive";

    /** The fraud flag of a click on a link past its expiry: recorded like an inactive link's. */
    public static final String EXPIRED = "expired";

    private static final int USER_AGENT_MAX = 1_024;
    private static final int REFERER_MAX = 2_048;
    private static final int LANDING_MAX = 4_096;
    private static final int UTM_MAX = 256;
    private static final ByteBuffer NOT_FOUND_PAGE =
            page("Link not found", "This link does not exist. Check the address, or ask whoever shared it.");
    private static final ByteBuffer UNAVAILABLE_PAGE =
            page("Try again", "This link cannot be followed right now. Please try again in a moment.");

    private final LinkCache links;
    private final ClickWriter writer;
    private final UserAgents agents;
    private final VelocityTracker velocity;
    private final ClientResolver clients;
    private final IpHasher ipHasher;
    private final Clock clock;
    private final ClickTimeline timeline;
    private final Counter redirected;
    private final Counter inactive;
    private final Counter notFound;
    private final Counter unavailable;
    private final Counter expired;
    private final Counter deepLinked;
    private final Counter deepLinkRefused;

    public RedirectHandler(
            LinkCache links,
            ClickWriter writer,
            UserAgents agents,
            VelocityTracker velocity,
            ClientResolver clients,
            IpHasher ipHasher,
            Clock clock,
            ClickTimeline timeline,
            MeterRegistry registry) {
        this.links = requireNonNull(links, "links is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.agents = requireNonNull(agents, "agents is null");
        this.velocity = requireNonNull(velocity, "velocity is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.ipHasher = requireNonNull(ipHasher, "ipHasher is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.timeline = requireNonNull(timeline, "timeline is null");
        this.redirected = outcome(registry, "redirected");
        this.inactive = outcome(registry, "inactive");
        this.notFound = outcome(registry, "not_found");
        this.unavailable = outcome(registry, "unavailable");
        this.expired = outcome(registry, "expired");
        this.deepLinked = deepLink(registry, "followed");
        this.deepLinkRefused = deepLink(registry, "refused");
    }

    private static Counter deepLink(MeterRegistry registry, String outcome) {
        return Counter.builder("clickledger_deep_links_total")
                .description("redirects whose ?to= was followed, or refused for the link's usual destination")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("clickledger_redirects_total")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** False until the link cache has been loaded (from PostgreSQL or the snapshot). */
    public boolean linksLoaded() {
        return links.loaded();
    }

    /** @param domain the domain the request's {@code Host} named (the default host included) */
    public void handle(Request request, Response response, Callback callback, Domain domain, String slug) {
        ClickTimeline.Stamps stamps = timeline.sample(request.getBeginNanoTime());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!links.loaded()) {
            unavailable.increment();
            writePage(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, UNAVAILABLE_PAGE);
            return;
        }
        LinkTarget target = Slugs.valid(slug) ? links.get(domain.idHigh(), domain.idLow(), slug) : null;
        if (target == null) {
            notFound.increment();
            writePage(response, callback, HttpStatus.NOT_FOUND_404, NOT_FOUND_PAGE);
            return;
        }
        String query = request.getHttpURI().getQuery();
        long now = clock.millis();
        // Paused link, revoked partner, ended program, expired link: the visitor still arrives (at an
        // expired link's own expired URL when it has one, else at the program's destination) and the
        // click is still recorded, but flagged (so never billable, never a touch) and without a cref
        // or cookie, so nothing can be attributed to it.
        boolean expiredLink = target.expiredAt(now);
        boolean active = !expiredLink && target.activeAt(now);
        Counter notPaying = expiredLink ? expired : inactive;
        var headers = request.getHeaders();
        ClientResolver.Client client = clients.resolve(socketAddress(request), request.isSecure(), headers);
        String userAgent = crop(headers.get(HttpHeader.USER_AGENT), USER_AGENT_MAX);
        UserAgents.Verdict agent = agents.classify(request.getMethod(), userAgent);
        String referer = crop(headers.get(HttpHeader.REFERER), REFERER_MAX);
        byte[] ipHash = client.address() == null ? null : ipHasher.hash(client.address());
        boolean burst = ipHash != null && velocity.record(IpHasher.key(ipHash), target.linkIdLow(), now);
        UUID clickId = Ulid.newUuidV7(now);
        String cref = active ? Ulid.encode(clickId) : null;
        Destination destination = active
                ? destination(target, query)
                : expiredLink && target.expiredDestination() != null
                        ? target.expiredDestination()
                        : target.programDestination();
        String location = destination.location(query, cref);
        Utm utm = Utm.of(query, destination);
        Click click = new Click(
                clickId,
                now,
                target.linkId(),
                target.programId(),
                target.partnerId(),
                ipHash,
                userAgent,
                referer,
                crop(location, LANDING_MAX),
                client.country(),
                crop(utm.source(), UTM_MAX),
                crop(utm.medium(), UTM_MAX),
                crop(utm.campaign(), UTM_MAX),
                crop(utm.term(), UTM_MAX),
                crop(utm.content(), UTM_MAX),
                agent.bot(),
                agent.botReason(),
                !active ? (expiredLink ? EXPIRED : INACTIVE) : burst ? "velocity" : null,
                agent.device(),
                agent.browser(),
                agent.os(),
                ReferrerDomain.of(referer));
        response.setStatus(HttpStatus.FOUND_302);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        if (active) {
            response.getHeaders()
                    .add(
                            HttpHeader.SET_COOKIE,
                            cookie(cref, target.cookieMaxAgeSeconds(), client.secure(), domain.cookieDomain()));
        }
        if (stamps != null) {
            stamps.offered();
        }
        boolean queued = writer.submit(
                click,
                new ClickWriter.Completion() {
                    @Override
                    public void durable() {
                        (active ? redirected : notPaying).increment();
                        response.write(
                                true, BufferUtil.EMPTY_BUFFER, stamps == null ? callback : timed(stamps, callback));
                    }

                    @Override
                    public void failed(Throwable cause) {
                        notDurable(active, notPaying, response, callback);
                    }
                },
                stamps);
        if (!queued) {
            notDurable(active, notPaying, response, callback);
        }
    }

    // The sampled click's 302 is out: its timeline ends. Nested keeps the callback's invocation type,
    // so Jetty completes the response exactly as it would without the timeline.
    private Callback timed(ClickTimeline.Stamps stamps, Callback callback) {
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                timeline.written(stamps);
                super.succeeded();
            }
        };
    }

    // A click that carries no cref earns nothing, so losing it must not cost the visitor the
    // redirect; a cref that is not recorded must never be sent.
    private void notDurable(boolean active, Counter notPaying, Response response, Callback callback) {
        if (active) {
            unavailable(response, callback);
        } else {
            notPaying.increment();
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        }
    }

    // The link's destination, or the deep link its ?to= asks for when the program allows it.
    private Destination destination(LinkTarget target, String query) {
        String to = DeepLinks.parameter(query);
        if (to == null || target.deepLinks() == null) {
            return target.destination();
        }
        Destination deep = target.deepLinks().resolve(to);
        if (deep == null) {
            deepLinkRefused.increment();
            return target.destination();
        }
        deepLinked.increment();
        return deep;
    }

    // The click could not be made durable: never send a cref that is not recorded.
    private void unavailable(Response response, Callback callback) {
        unavailable.increment();
        response.getHeaders().remove(HttpHeader.LOCATION);
        response.getHeaders().remove(HttpHeader.SET_COOKIE);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        writePage(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, UNAVAILABLE_PAGE);
    }

    /**
     * {@code _cref} is readable by the merchant's page script (no HttpOnly): with COOKIE_DOMAIN (or
     * a custom domain's cookie domain) set to the shared parent domain, the merchant's SDK picks it
     * up when the landing URL lost its query. It carries only the click id, which the Location
     * already exposes. On a custom domain COOKIE_DOMAIN is never used: a browser drops a cookie
     * whose Domain does not cover the host that set it.
     *
     * @param cookieDomain the host's {@code Domain=}; null for a host-only cookie
     */
    private static String cookie(String cref, int maxAgeSeconds, boolean secure, String cookieDomain) {
        StringBuilder cookie = new StringBuilder(96)
                .append("_cref=")
                .append(cref)
                .append("; Max-Age=")
                .append(maxAgeSeconds)
                .append("; Path=/; SameSite=Lax");
        if (secure) {
            cookie.append("; Secure");
        }
        if (cookieDomain != null) {
            cookie.append("; Domain=").append(cookieDomain);
        }
        return cookie.toString();
    }

    private static InetAddress socketAddress(Request request) {
        SocketAddress address = request.getConnectionMetaData().getRemoteSocketAddress();
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    private static String crop(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        int end = max;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end);
    }

    static void writePage(Response response, Callback callback, int status, ByteBuffer page) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        response.write(true, page.slice(), callback);
    }

    private static ByteBuffer page(String title, String message) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                + "</title><meta name=\"viewport\" content=\"width=device-width\"></head>"
                + "<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem\">"
                + "<h1>" + title + "</h1><p>" + message + "</p></body></html>";
        return ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    public static ByteBuffer notFoundPage() {
        return NOT_FOUND_PAGE.slice();
    }
}
