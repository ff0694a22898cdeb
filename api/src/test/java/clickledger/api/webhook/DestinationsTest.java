package clickledger.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.secret.SecretBox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The worker's per-endpoint cache of opened secrets and parsed URLs: it must save the work on every
 * attempt after the first, and never sign with a secret, or send to a URL, that the endpoint's row
 * no longer has.
 */
class DestinationsTest {
    private static final Instant NOW = Instant.parse("2026-12-06T15:00:00Z");
    private static final byte[] BODY = "{\"id\":\"01J\"}".getBytes(StandardCharsets.UTF_8);
    private final SecretBox box = WebhookFixture.secrets();
    private final UUID endpoint = UUID.randomUUID();

    private byte[] seal(String secret) {
        return box.seal(secret, WebhookService.sealContext(new WebhookEndpointId(endpoint)));
    }

    private DeliveryRepository.Claimed claimed(String url, byte[] current, byte[] previous, Instant validUntil) {
        return new DeliveryRepository.Claimed(
                UUID.randomUUID(),
                endpoint,
                "webhook.test",
                "{}",
                0,
                UUID.randomUUID(),
                url,
                current,
                previous,
                validUntil);
    }

    private static String signature(Destinations.Destination destination) {
        return WebhookSignature.signed(NOW.getEpochSecond(), BODY, destination.keys());
    }

    @Test
    void attemptsAfterTheFirstToAnEndpointOpenAndParseNothing() {
        Destinations destinations = new Destinations(box);
        byte[] sealed = seal("whsec_one");

        Destinations.Destination first = destinations.of(claimed("https://example.com/a", sealed, null, null), NOW);
        for (int i = 0; i < 50; i++) {
            // Each claim reads the row afresh: equal bytes in another array still match.
            assertThat(destinations.of(claimed("https://example.com/a", sealed.clone(), null, null), NOW))
                    .isSameAs(first);
        }

        assertThat(destinations.prepared()).isEqualTo(1);
        assertThat(first.uri().toString()).isEqualTo("https://example.com/a");
        assertThat(first.host()).isEqualTo("example.com");
        assertThat(WebhookSignature.verify(signature(first), BODY, "whsec_one")).isTrue();
    }

    @Test
    void aRotatedSecretSignsFromTheNextAttemptOnAndTheOldOneOnlyDuringItsOverlap() {
        Destinations destinations = new Destinations(box);
        byte[] old = seal("whsec_old");
        destinations.of(claimed("https://example.com/a", old, null, null), NOW);

        // Rotated with an hour of overlap: the row now has a new sealed secret and the old one.
        byte[] rotated = seal("whsec_new");
        Instant until = NOW.plus(Duration.ofHours(1));
        Destinations.Destination during = destinations.of(claimed("https://example.com/a", rotated, old, until), NOW);
        Destinations.Destination after =
                destinations.of(claimed("https://example.com/a", rotated, old, until), until.plusSeconds(1));

        assertThat(WebhookFixture.v1Signatures(signature(during))).hasSize(2);
        assertThat(WebhookSignature.verify(signature(during), BODY, "whsec_new"))
                .isTrue();
        assertThat(WebhookSignature.verify(signature(during), BODY, "whsec_old"))
                .isTrue();
        assertThat(WebhookFixture.v1Signatures(signature(after))).hasSize(1);
        assertThat(WebhookSignature.verify(signature(after), BODY, "whsec_new")).isTrue();
        assertThat(WebhookSignature.verify(signature(after), BODY, "whsec_old")).isFalse();
        assertThat(destinations.prepared()).isEqualTo(3);
    }

    @Test
    void rotatingTwiceToTheSameSecretTextStillReopensSinceEachSealHasItsOwnNonce() {
        Destinations destinations = new Destinations(box);
        Destinations.Destination first =
                destinations.of(claimed("https://example.com/a", seal("whsec_same"), null, null), NOW);

        Destinations.Destination again =
                destinations.of(claimed("https://example.com/a", seal("whsec_same"), null, null), NOW);

        assertThat(again).isNotSameAs(first);
        assertThat(destinations.prepared()).isEqualTo(2);
    }

    @Test
    void aChangedUrlIsUsedFromTheNextAttemptOn() {
        Destinations destinations = new Destinations(box);
        byte[] sealed = seal("whsec_one");
        destinations.of(claimed("https://example.com/a", sealed, null, null), NOW);

        Destinations.Destination moved =
                destinations.of(claimed("https://other.example.org/b", sealed, null, null), NOW);

        assertThat(moved.uri().toString()).isEqualTo("https://other.example.org/b");
        assertThat(moved.host()).isEqualTo("other.example.org");
        assertThat(destinations.prepared()).isEqualTo(2);
    }

    @Test
    void aSecretThatDoesNotOpenFailsEveryAttemptAndIsNeverKept() {
        Destinations destinations = new Destinations(box);
        byte[] foreign = SecretBox.fromBase64("b3RoZXIta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMhISE=")
                .orElseThrow()
                .seal("whsec_x", WebhookService.sealContext(new WebhookEndpointId(endpoint)));

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> destinations.of(claimed("https://example.com/a", foreign, null, null), NOW))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("does not open");
        }
        assertThat(destinations.size()).isZero();
        assertThat(destinations.prepared()).isZero();
    }

    @Test
    void holdsAtMostMaxEndpoints() {
        Destinations destinations = new Destinations(box);
        for (int i = 0; i < Destinations.MAX_ENDPOINTS + 10; i++) {
            UUID id = UUID.randomUUID();
            byte[] sealed = box.seal("whsec_" + i, WebhookService.sealContext(new WebhookEndpointId(id)));
            destinations.of(
                    new DeliveryRepository.Claimed(
                            UUID.randomUUID(),
                            id,
                            "webhook.test",
                            "{}",
                            0,
                            UUID.randomUUID(),
                            "https://example.com/" + i,
                            sealed,
                            null,
                            null),
                    NOW);
            assertThat(destinations.size()).isLessThanOrEqualTo(Destinations.MAX_ENDPOINTS);
        }
        assertThat(destinations.prepared()).isEqualTo(Destinations.MAX_ENDPOINTS + 10);
        assertThat(destinations.size()).isPositive();
    }
}
