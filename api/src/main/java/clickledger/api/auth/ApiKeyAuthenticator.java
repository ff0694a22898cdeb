package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Turns an {@code Authorization: Bearer <key>} header into a {@link Principal}: the ADMIN_API_KEY
 * of the environment, a session token ({@code ck_sess_…}, see {@link Sessions}), or an api_key row
 * found by the key's prefix. Keys are compared as SHA-256
 * digests with {@link MessageDigest#isEqual}, which takes the same time wherever the first
 * difference is, so response timing does not reveal a key byte by byte; hashing first also hides
 * the key's length. The prefix is not secret, so finding the row by it leaks nothing.
 *
 * <p>Rows found are kept for {@link #CACHE_TTL}, so a burst of SDK calls costs one lookup a
 * second per key rather than one per request. A revoke in this process drops the entry at once
 * ({@link #forget}); one made through another replica takes effect here within the TTL.
 */
public final class ApiKeyAuthenticator {
    static final Duration CACHE_TTL = Duration.ofSeconds(1);
    /**
     * Prefixes remembered. Only keys that exist are cached, so the map holds at most the keys used
     * within a second; the bound keeps a deployment with a huge number of keys from growing it
     * without end. Clearing it when full costs one lookup per key, which is what no cache costs.
     */
    static final int CACHE_MAX = 10_000;

    private static final String BEARER = "bearer ";
    private static final long CACHE_TTL_NANOS = CACHE_TTL.toNanos();

    private record Cached(ApiKeyRepository.Stored stored, long loadedAtNanos) {}

    private final byte[] adminKeyDigest;
    private final ApiKeyRepository keys;
    private final KeyUsage usage;
    private final Sessions sessions;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** Keys only: a session token is refused (for tests of the key paths). */
    public ApiKeyAuthenticator(String adminApiKey, ApiKeyRepository keys, KeyUsage usage) {
        this(adminApiKey, keys, usage, null, System::nanoTime);
    }

    /** Keys and sessions, as the api runs. */
    public ApiKeyAuthenticator(String adminApiKey, ApiKeyRepository keys, KeyUsage usage, Sessions sessions) {
        this(adminApiKey, keys, usage, requireNonNull(sessions, "sessions is null"), System::nanoTime);
    }

    /**
     * @param sessions null to accept keys only
     * @param nanoTime a monotonic clock for the cache's expiry, as {@link System#nanoTime}
     */
    public ApiKeyAuthenticator(
            String adminApiKey, ApiKeyRepository keys, KeyUsage usage, Sessions sessions, LongSupplier nanoTime) {
        requireNonNull(adminApiKey, "adminApiKey is null");
        if (adminApiKey.isEmpty()) {
            throw new IllegalArgumentException("adminApiKey is empty");
        }
        this.adminKeyDigest = ApiKeyFormat.hash(adminApiKey);
        this.keys = requireNonNull(keys, "keys is null");
        this.usage = requireNonNull(usage, "usage is null");
        this.sessions = sessions;
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    public Optional<Principal> authenticate(String authorizationHeader) {
        String key = bearerKey(authorizationHeader);
        if (key == null) {
            return Optional.empty();
        }
        byte[] digest = ApiKeyFormat.hash(key);
        if (MessageDigest.isEqual(digest, adminKeyDigest)) {
            return Optional.of(Principal.environmentAdmin());
        }
        if (key.startsWith(OpaqueToken.SESSION)) {
            return sessions == null ? Optional.empty() : sessions.authenticate(key);
        }
        String prefix = ApiKeyFormat.prefixOf(key);
        if (prefix == null) {
            return Optional.empty();
        }
        ApiKeyRepository.Stored stored = lookup(prefix);
        if (stored == null || !MessageDigest.isEqual(digest, stored.hash())) {
            return Optional.empty();
        }
        ApiKey apiKey = stored.key();
        // The tag is part of the hashed text, so a matching hash means a matching kind; checking
        // again costs nothing and survives a row edited by hand.
        if (apiKey.revoked() || apiKey.kind() != ApiKeyFormat.kindOf(key)) {
            return Optional.empty();
        }
        usage.record(apiKey.id());
        return Optional.of(Principal.forKey(apiKey));
    }

    /** Drops a cached key, so a revoke made through this process holds from the next request. */
    public void forget(String prefix) {
        cache.remove(prefix);
    }

    private ApiKeyRepository.Stored lookup(String prefix) {
        long now = nanoTime.getAsLong();
        Cached cached = cache.get(prefix);
        if (cached != null && now - cached.loadedAtNanos() < CACHE_TTL_NANOS) {
            return cached.stored();
        }
        Optional<ApiKeyRepository.Stored> fresh = keys.findByPrefix(prefix);
        if (fresh.isEmpty()) {
            cache.remove(prefix);
            return null;
        }
        if (cache.size() >= CACHE_MAX) {
            cache.clear();
        }
        cache.put(prefix, new Cached(fresh.get(), now));
        return fresh.get();
    }

    private static String bearerKey(String header) {
        if (header == null
                || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).strip();
        return key.isEmpty() ? null : key;
    }
}
