package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.secret.SecretBox;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an attempt needs of its endpoint, prepared once per endpoint rather than once per attempt:
 * the URL parsed, and the signing secrets opened (AES-GCM, {@link SecretBox#open}) and keyed as
 * HMACs. A drain of 100,000 deliveries to 8 endpoints opened secrets 100,000 times (~3 % of its
 * CPU) and parsed URLs three times per attempt; now it does each 8 times.
 *
 * <p>An entry is used only while the claim that carries the attempt read the very same URL and
 * sealed bytes: every claim returns the endpoint's row as it is now, and a rotation seals the new
 * secret under a fresh random nonce, so the next attempt after a rotation (or a URL change, or the
 * rotated-out secret's overlap ending) finds a mismatch and prepares the endpoint again. Nothing
 * needs invalidating by hand, and replicas need not tell each other. What is never cached: the
 * destination check (DNS answers change, so {@link DestinationGuard} still runs before every
 * attempt) and a secret that does not open (it fails each attempt, as before).
 *
 * <p>Bounded: at most {@link #MAX_ENDPOINTS} entries; past that the map is emptied and refills from
 * the next claims (an api with more endpoints than that in flight at once only loses the saving).
 * The opened secrets stay in this process's memory for as long as their entry, as they already did
 * for the length of each attempt; they are never logged ({@link WebhookSignature.Key#toString}).
 */
final class Destinations {
    static final int MAX_ENDPOINTS = 1024;

    /**
     * One endpoint, ready: {@code keys} sign with the current secret, then the rotated-out one
     * while its overlap lasts (the sealed value in {@code sealedPrevious}, else null).
     */
    record Destination(
            String url,
            WebhookUrl parsed,
            URI uri,
            String host,
            byte[] sealedCurrent,
            byte[] sealedPrevious,
            List<WebhookSignature.Key> keys) {
        boolean matches(String claimedUrl, byte[] current, byte[] previous) {
            return url.equals(claimedUrl)
                    && Arrays.equals(sealedCurrent, current)
                    && Arrays.equals(sealedPrevious, previous);
        }
    }

    private final SecretBox secrets;
    private final ConcurrentHashMap<UUID, Destination> byEndpoint = new ConcurrentHashMap<>();
    private final AtomicLong prepared = new AtomicLong();

    Destinations(SecretBox secrets) {
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    /**
     * The endpoint of a claimed delivery as of its claim, signing at {@code now}.
     *
     * @throws IllegalStateException when a secret does not open (wrong SECRETS_ENCRYPTION_KEY or an
     *     altered value)
     */
    Destination of(DeliveryRepository.Claimed claimed, Instant now) {
        byte[] previous = claimed.previousSecret() != null
                        && claimed.previousValidUntil() != null
                        && claimed.previousValidUntil().isAfter(now)
                ? claimed.previousSecret()
                : null;
        Destination known = byEndpoint.get(claimed.endpointId());
        if (known != null && known.matches(claimed.url(), claimed.currentSecret(), previous)) {
            return known;
        }
        Destination fresh = prepare(claimed, previous);
        if (byEndpoint.size() >= MAX_ENDPOINTS) {
            byEndpoint.clear();
        }
        byEndpoint.put(claimed.endpointId(), fresh);
        return fresh;
    }

    private Destination prepare(DeliveryRepository.Claimed claimed, byte[] previous) {
        String context = WebhookService.sealContext(new WebhookEndpointId(claimed.endpointId()));
        WebhookSignature.Key current = new WebhookSignature.Key(secrets.open(claimed.currentSecret(), context));
        List<WebhookSignature.Key> keys = previous == null
                ? List.of(current)
                : List.of(current, new WebhookSignature.Key(secrets.open(previous, context)));
        WebhookUrl parsed = new WebhookUrl(claimed.url());
        prepared.incrementAndGet();
        return new Destination(
                claimed.url(), parsed, parsed.uri(), parsed.host(), claimed.currentSecret(), previous, keys);
    }

    /** How many times an endpoint was prepared (tests check the cache holds, and lets go). */
    long prepared() {
        return prepared.get();
    }

    /** Endpoints held now. */
    int size() {
        return byEndpoint.size();
    }
}
