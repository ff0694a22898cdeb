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
import clickledger.router.domain.Domains;
import clickledger.router.link.LinkCache;
import clickledger.router.link.LinkTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Decides the answer to {@code GET|HEAD /r/{slug}} (SPEC "Router contract"), and to the bare
 * {@code /{slug}} of a dedicated custom domain, on the domain the request's host named. Per request it only
 * looks the slug up in memory, builds the click, and hands it to {@link ClickWriter}; the 302 leaves
 * when the writer reports the click durable. Nothing here blocks. It knows no HTTP layer: a
 * {@link Visit} is the request, an {@link Answer} carries the answer (decision 0037).
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
    private static final String HTML = "text/html; charset=utf-8";
    private static final ByteBuffer UNKNOWN_HOST = ByteBuffer.wrap(
                    ("{\"type\":\"about:blank\",\"title\":\"Unknown host\",\"status\":404,"
                                    + "\"detail\":\"No short domain is set up for this host.\"}")
                            .getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final ByteBuffer METHOD_NOT_ALLOWED = ByteBuffer.wrap(
                    "method not allowed\n".getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final ByteBuffer UNAVAILABLE_PAGE =
            page("Try again", "This link cannot be followed right now. Please try again in a moment.");

    private final LinkCache links;
    private final Domains domains;
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
            Domains domains,
            ClickWriter writer,
            UserAgents agents,
            VelocityTracker velocity,
            ClientResolver clients,
            IpHasher ipHasher,
            Clock clock,
            ClickTimeline timeline,
            MeterRegistry registry) {
        this.links = requireNonNull(links, "links is null");
        this.domains = requireNonNull(domains, "domains is null");
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

    /**
     * A request for a redirect path, on the domain its {@code Host} names: an unknown host is a 404
     * (decision 0024), a bare {@code /{slug}} only redirects on a dedicated custom domain, and only
     * GET and HEAD redirect.
     *
     * @param host the {@code Host} header as sent, or null
     * @param path {@code /r/{slug}}, or the bare {@code /{slug}} of a dedicated custom domain
     */
    public void route(Visit visit, Answer answer, String host, String path) {
        boolean bare = !path.startsWith(PREFIX);
        String slug = bare ? path.substring(Math.min(1, path.length())) : path.substring(PREFIX.length());
        Domain domain = domains.table().route(host);
        if (domain == null && !links.loaded()) {
            // Before the first load the domains are not known either: a 503, not a verdict.
            domain = domains.table().defaultDomain();
        }
        if (domain == null) {
            answer.page(HttpStatus.NOT_FOUND_404, "application/problem+json", UNKNOWN_HOST.slice(), null, null);
            return;
        }
        if (bare && !domain.dedicated()) {
            answer.page(HttpStatus.NOT_FOUND_404, HTML, NOT_FOUND_PAGE.slice(), null, null);
            return;
        }
        String method = visit.method();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            answer.page(
                    HttpStatus.METHOD_NOT_ALLOWED_405,
                    "text/plain; charset=utf-8",
                    METHOD_NOT_ALLOWED.slice(),
                    "Allow",
                    "GET, HEAD");
            return;
        }
        handle(visit, answer, domain, slug);
    }

    private void handle(Visit visit, Answer answer, Domain domain, String slug) {
        ClickTimeline.Stamps stamps = timeline.sample(visit.beginNanos());
        if (!links.loaded()) {
            unavailable(answer);
            return;
        }
        LinkTarget target = Slugs.valid(slug) ? links.get(domain.idHigh(), domain.idLow(), slug) : null;
        if (target == null) {
            notFound.increment();
            answer.page(HttpStatus.NOT_FOUND_404, HTML, NOT_FOUND_PAGE.slice(), null, null);
            return;
        }
        String query = visit.query();
        long now = clock.millis();
        // Paused link, revoked partner, ended program, expired link: the visitor still arrives (at an
        // expired link's own expired URL when it has one, else at the program's destination) and the
        // click is still recorded, but flagged (so never billable, never a touch) and without a cref
        // or cookie, so nothing can be attributed to it.
        boolean expiredLink = target.expiredAt(now);
        boolean active = !expiredLink && target.activeAt(now);
        Counter notPaying = expiredLink ? expired : inactive;
        ClientResolver.Client client = visit.client(clients);
        String userAgent = crop(visit.userAgent(), USER_AGENT_MAX);
        UserAgents.Verdict agent = agents.classify(visit.method(), userAgent);
        String referer = crop(visit.referer(), REFERER_MAX);
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
        String cookie =
                active ? cookie(cref, target.cookieMaxAgeSeconds(), client.secure(), domain.cookieDomain()) : null;
        if (stamps != null) {
            stamps.offered();
        }
        // The sampled click's timeline ends when its 302 is out.
        Runnable written = stamps == null ? null : () -> timeline.written(stamps);
        boolean queued = writer.submit(
                click,
                new ClickWriter.Completion() {
                    @Override
                    public void durable() {
                        (active ? redirected : notPaying).increment();
                        answer.found(location, cookie, written);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        notDurable(active, notPaying, answer, location);
                    }
                },
                stamps);
        if (!queued) {
            notDurable(active, notPaying, answer, location);
        }
    }

    // A click that carries no cref earns nothing, so losing it must not cost the visitor the
    // redirect; a cref that is not recorded must never be sent.
    private void notDurable(boolean active, Counter notPaying, Answer answer, String location) {
        if (active) {
            unavailable(answer);
        } else {
            notPaying.increment();
            answer.found(location, null, null);
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

    // The click could not be made durable (or the links are not loaded yet): a 503 asking to come
    // back, never a cref that is not recorded.
    private void unavailable(Answer answer) {
        unavailable.increment();
        answer.page(HttpStatus.SERVICE_UNAVAILABLE_503, HTML, UNAVAILABLE_PAGE.slice(), "Retry-After", "1");
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

    private static ByteBuffer page(String title, String message) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                + "</title><meta name=\"viewport\" content=\"width=device-width\"></head>"
                + "<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem\">"
                + "<h1>" + title + "</h1><p>" + message + "</p></body></html>";
        return ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }
}
