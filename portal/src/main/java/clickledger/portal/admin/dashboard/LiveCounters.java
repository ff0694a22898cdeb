package clickledger.portal.admin.dashboard;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.LiveStats;
import clickledger.portal.api.StatsClient;
import clickledger.portal.web.Format;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.sse.SseClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's live click counter, fanned out: however many dashboards of a program are open,
 * the portal keeps ONE poll of {@code GET /v1/stats/live} per program per interval and sends each
 * answer to every open event stream. The api serves that route from a value it refreshes at most
 * once per its own interval, so 100 open counters cost the database about one query per interval,
 * not 100 (measured in bench/scenarios/80-portal.sh).
 *
 * <p>The poll needs a credential: it borrows the session of one of the program's current
 * subscribers, each of whom proved on subscribing that the api lets them read the program. If that
 * session has ended, its stream is closed and the next subscriber's is used. A stream lasts at
 * most {@link #MAX_STREAM}; the browser then reconnects, which signs the person in afresh, so a
 * session revoked elsewhere stops receiving within that time.
 */
public final class LiveCounters implements AutoCloseable {
    static final Duration MAX_STREAM = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(LiveCounters.class);

    private record Subscriber(SseClient client, Caller caller, Locale locale, long expiresNanos) {}

    private record Snapshot(LiveStats live, long fetchedNanos) {}

    /** One program's stream of values: its subscribers, the latest answer and the thread that polls. */
    private final class Feed {
        final String programId;
        final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
        final ReentrantLock fetchLock = new ReentrantLock();
        // Guards poller: a subscriber that arrives as the last one leaves still gets a poll.
        final ReentrantLock pollerLock = new ReentrantLock();
        volatile Snapshot latest;
        Thread poller;

        Feed(String programId) {
            this.programId = programId;
        }
    }

    private final StatsClient stats;
    private final Duration interval;
    private final LongSupplier nanoTime;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Counter upstreamCalls;
    private volatile boolean closed;

    public LiveCounters(StatsClient stats, Duration interval, MeterRegistry registry, LongSupplier nanoTime) {
        this.stats = requireNonNull(stats, "stats is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.upstreamCalls = Counter.builder("portal_live_upstream_calls")
                .description("GET /v1/stats/live calls the portal made for its live counters")
                .register(registry);
        registry.gauge("portal_live_streams", open);
    }

    public Duration interval() {
        return interval;
    }

    /**
     * The program's latest value: the shared one when it is younger than the interval, otherwise
     * fetched now with {@code caller}'s session (and shared from then on). Throws the api's problem,
     * so a page or a stream for a program the caller may not see fails like any other api call.
     */
    public LiveStats latest(Caller caller, String programId) {
        Feed feed = feeds.computeIfAbsent(programId, Feed::new);
        Snapshot snapshot = feed.latest;
        if (fresh(snapshot)) {
            return snapshot.live();
        }
        feed.fetchLock.lock();
        try {
            snapshot = feed.latest;
            if (fresh(snapshot)) {
                return snapshot.live();
            }
            return fetch(feed, caller);
        } finally {
            feed.fetchLock.unlock();
        }
    }

    /** Adds an open event stream; the first one of a program starts its poll. */
    public void subscribe(SseClient client, Caller caller, Locale locale, String programId) {
        LiveStats first = latest(caller, programId);
        Feed feed = feeds.computeIfAbsent(programId, Feed::new);
        Subscriber subscriber = new Subscriber(client, caller, locale, nanoTime.getAsLong() + MAX_STREAM.toNanos());
        client.onClose(() -> {
            if (feed.subscribers.remove(subscriber)) {
                open.decrementAndGet();
            }
        });
        send(subscriber, first);
        feed.subscribers.add(subscriber);
        open.incrementAndGet();
        feed.pollerLock.lock();
        try {
            if (feed.poller == null && !closed) {
                feed.poller = Thread.ofVirtual().name("live-" + programId).start(() -> poll(feed));
            }
        } finally {
            feed.pollerLock.unlock();
        }
    }

    /** Open streams of every program, for tests and the portal_live_streams gauge. */
    public int openStreams() {
        return open.get();
    }

    private void poll(Feed feed) {
        while (keepPolling(feed)) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            closeExpired(feed);
            LiveStats live = fetchWithAnySubscriber(feed);
            if (live != null) {
                for (Subscriber subscriber : feed.subscribers) {
                    send(subscriber, live);
                }
            }
        }
    }

    /** False, and the feed without a poller, once nobody listens: the next subscriber starts one. */
    private boolean keepPolling(Feed feed) {
        feed.pollerLock.lock();
        try {
            if (closed || feed.subscribers.isEmpty()) {
                feed.poller = null;
                return false;
            }
            return true;
        } finally {
            feed.pollerLock.unlock();
        }
    }

    private LiveStats fetchWithAnySubscriber(Feed feed) {
        while (!feed.subscribers.isEmpty()) {
            Subscriber borrowed = feed.subscribers.getLast();
            feed.fetchLock.lock();
            try {
                Snapshot snapshot = feed.latest;
                // A dashboard render may have fetched moments ago; share that instead of asking again.
                return fresh(snapshot, interval.dividedBy(2)) ? snapshot.live() : fetch(feed, borrowed.caller());
            } catch (ApiProblem e) {
                if (e.status() == 401 || e.status() == 403 || e.status() == 404) {
                    // That person's session ended (or lost access): end their stream, try another's.
                    end(feed, borrowed);
                    continue;
                }
                LOG.atWarn()
                        .addKeyValue("programId", feed.programId)
                        .addKeyValue("status", e.status())
                        .log("live stats unavailable");
                return null;
            } finally {
                feed.fetchLock.unlock();
            }
        }
        return null;
    }

    private LiveStats fetch(Feed feed, Caller caller) {
        upstreamCalls.increment();
        LiveStats live = stats.live(caller, feed.programId);
        feed.latest = new Snapshot(live, nanoTime.getAsLong());
        return live;
    }

    private boolean fresh(Snapshot snapshot) {
        return fresh(snapshot, interval);
    }

    private boolean fresh(Snapshot snapshot, Duration maxAge) {
        return snapshot != null && nanoTime.getAsLong() - snapshot.fetchedNanos() < maxAge.toNanos();
    }

    private void closeExpired(Feed feed) {
        long now = nanoTime.getAsLong();
        for (Subscriber subscriber : feed.subscribers) {
            if (now - subscriber.expiresNanos() >= 0 || subscriber.client().terminated()) {
                end(feed, subscriber);
            }
        }
    }

    private void end(Feed feed, Subscriber subscriber) {
        if (feed.subscribers.remove(subscriber)) {
            open.decrementAndGet();
        }
        subscriber.client().close();
    }

    private static void send(Subscriber subscriber, LiveStats live) {
        Format format = new Format(subscriber.locale());
        ObjectNode data = ApiClient.object()
                .put("programId", live.programId())
                .put("clicksToday", live.clicksToday())
                .put("clicksTodayText", format.number(live.clicksToday()))
                .put("asOfText", format.dateTime(live.asOf()));
        subscriber.client().sendEvent("clicks", data.toString());
    }

    @Override
    public void close() {
        closed = true;
        for (Feed feed : feeds.values()) {
            for (Subscriber subscriber : feed.subscribers) {
                end(feed, subscriber);
            }
            Thread poller = feed.poller;
            if (poller != null) {
                poller.interrupt();
            }
        }
    }
}
