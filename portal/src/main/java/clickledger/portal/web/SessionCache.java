package clickledger.portal.web;

import clickledger.portal.api.Caller;
import clickledger.portal.api.Session;
import clickledger.portal.api.SessionsClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who a session token belongs to, asked of the api ({@code GET /v1/sessions/current}) at most once
 * per {@link #TTL} per token. A page's own api calls still carry the token, so a session revoked
 * elsewhere fails on them at once; the cache only spares the api one lookup per page (and per
 * live-counter reconnect). Signing out through this portal forgets the token immediately.
 */
public final class SessionCache {
    static final Duration TTL = Duration.ofSeconds(10);
    // Each entry is a few hundred bytes; past this many signed-in people it starts over rather
    // than grow without bound.
    static final int MAX_ENTRIES = 10_000;

    private record Entry(Session.Me me, long expiresNanos) {}

    private final SessionsClient sessions;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    public SessionCache(SessionsClient sessions, LongSupplier nanoTime) {
        this.sessions = sessions;
        this.nanoTime = nanoTime;
    }

    /** The person behind {@code caller}'s token; throws the api's 401 when the session is gone. */
    public Session.Me resolve(Caller caller) {
        long now = nanoTime.getAsLong();
        Entry entry = entries.get(caller.token());
        if (entry != null && entry.expiresNanos() - now > 0) {
            return entry.me();
        }
        Session.Me me = sessions.current(caller).principal();
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(caller.token(), new Entry(me, now + TTL.toNanos()));
        return me;
    }

    public void forget(String token) {
        entries.remove(token);
    }
}
