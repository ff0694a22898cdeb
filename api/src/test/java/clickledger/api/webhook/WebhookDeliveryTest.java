package clickledger.api.webhook;

import static clickledger.api.webhook.TestReceiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The api's own worker delivering real changes to a real local receiver. */
class WebhookDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(WebhookFixture.LOCAL_DELIVERY);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void partnerCreationArrivesSignedWithEveryHeader() {
        try (TestReceiver receiver = TestReceiver.answering(204)) {
            WebhookFixture.Endpoint endpoint =
                    WebhookFixture.createEndpoint(api, receiver.url("/hooks/partners"), "[\"partner.created\"]");

            String partnerId = api.createPartner();

            await(
                    "the partner.created delivery",
                    WAIT,
                    () -> receiver.received().size() == 1);
            TestReceiver.Received request = receiver.received().getFirst();
            JsonNode payload = request.json();
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("User-Agent")).isEqualTo("clickledger-webhooks/1");
            assertThat(request.header("X-Clickledger-Event")).isEqualTo("partner.created");
            assertThat(request.deliveryId()).isEqualTo(payload.get("id").asText());
            assertThat(request.header("X-Clickledger-Timestamp")).matches("\\d{10}");
            assertThat(request.header("X-Clickledger-Signature"))
                    .startsWith("t=" + request.header("X-Clickledger-Timestamp") + ",v1=");
            assertThat(WebhookSignature.verify(
                            request.header("X-Clickledger-Signature"), request.body(), endpoint.secret()))
                    .isTrue();
            assertThat(payload.get("type").asText()).isEqualTo("partner.created");
            assertThat(payload.at("/data/id").asText()).isEqualTo(partnerId);
            assertThat(payload.at("/data/status").asText()).isEqualTo("active");
            assertThat(payload.at("/resource/id").asText()).isEqualTo(partnerId);
            assertThat(payload.at("/resource/version").asLong()).isPositive();
            await("the delivered status", WAIT, () -> "delivered"
                    .equals(WebhookFixture.status(api, request.deliveryId())));
            JsonNode logged = WebhookFixture.delivery(api, request.deliveryId());
            assertThat(logged.get("attemptCount").asInt()).isEqualTo(1);
            assertThat(logged.get("deliveredAt").isNull()).isFalse();
            assertThat(logged.at("/attempts/0/statusCode").asInt()).isEqualTo(204);
            assertThat(logged.at("/attempts/0/latencyMs").isInt()).isTrue();
            assertThat(logged.at("/attempts/0/error").isNull()).isTrue();
            assertThat(logged.get("payload")).isEqualTo(payload);
            assertThat(Instant.parse(payload.get("createdAt").asText()))
                    .isEqualTo(Instant.parse(logged.get("createdAt").asText()));
        }
    }

    @Test
    void signatureVerifiesWithTheSecretAndFailsWithAnother() {
        try (TestReceiver receiver = TestReceiver.answering(200)) {
            WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, receiver.url("/signed"));

            WebhookFixture.sendTest(api, endpoint.id());

            await("the test delivery", WAIT, () -> receiver.received().size() == 1);
            TestReceiver.Received request = receiver.received().getFirst();
            String signature = request.header("X-Clickledger-Signature");
            byte[] tampered =
                    request.text().replace("webhook.test", "webhook.tEst").getBytes(StandardCharsets.UTF_8);
            assertThat(request.header("X-Clickledger-Event")).isEqualTo("webhook.test");
            assertThat(WebhookSignature.verify(signature, request.body(), endpoint.secret()))
                    .isTrue();
            assertThat(WebhookSignature.verify(signature, request.body(), WebhookSignature.newSecret()))
                    .isFalse();
            assertThat(WebhookSignature.verify(signature, tampered, endpoint.secret()))
                    .isFalse();
            long timestamp = Long.parseLong(request.header("X-Clickledger-Timestamp"));
            assertThat(WebhookFixture.v1Signatures(signature))
                    .containsExactly(WebhookSignature.hmacHex(endpoint.secret(), timestamp, request.body()));
        }
    }

    @Test
    void rotatedOutSecretKeepsSigningUntilTheOverlapEnds() {
        try (TestReceiver receiver = TestReceiver.answering(200)) {
            WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, receiver.url("/rotating"));
            String newSecret = api.post("/v1/webhooks/" + endpoint.id() + "/rotate-secret", "{\"overlapHours\":1}")
                    .expect(200)
                    .json()
                    .get("secret")
                    .asText();

            String first = WebhookFixture.sendTest(api, endpoint.id());
            // Delivered, not just received: moving the clock past a lease in flight would send it twice.
            await("the delivery during the overlap", WAIT, () -> "delivered".equals(WebhookFixture.status(api, first)));
            api.clock().advance(Duration.ofMinutes(61));
            WebhookFixture.sendTest(api, endpoint.id());
            await(
                    "the delivery after the overlap",
                    WAIT,
                    () -> receiver.received().size() == 2);

            TestReceiver.Received during = receiver.received().get(0);
            TestReceiver.Received after = receiver.received().get(1);
            String duringHeader = during.header("X-Clickledger-Signature");
            assertThat(newSecret).isNotEqualTo(endpoint.secret()).startsWith("whsec_");
            assertThat(WebhookFixture.v1Signatures(duringHeader)).hasSize(2);
            assertThat(WebhookSignature.verify(duringHeader, during.body(), newSecret))
                    .isTrue();
            assertThat(WebhookSignature.verify(duringHeader, during.body(), endpoint.secret()))
                    .isTrue();
            assertSignedOnlyBy(after, newSecret, endpoint.secret());
        }
    }

    /** One v1 signature, by the new secret; the old one no longer verifies it. */
    private static void assertSignedOnlyBy(TestReceiver.Received received, String secret, String oldSecret) {
        String header = received.header("X-Clickledger-Signature");
        assertThat(WebhookFixture.v1Signatures(header)).hasSize(1);
        assertThat(WebhookSignature.verify(header, received.body(), secret)).isTrue();
        assertThat(WebhookSignature.verify(header, received.body(), oldSecret)).isFalse();
    }

    @Test
    void aRotationSignsTheVeryNextDeliveryThoughTheWorkerHadTheOldSecretReady() {
        try (TestReceiver receiver = TestReceiver.answering(200)) {
            WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, receiver.url("/rotated-in-use"));
            String first = WebhookFixture.sendTest(api, endpoint.id());
            // Signed and sent with the old secret: the worker now keeps it opened for the endpoint.
            await("the delivery before the rotation", WAIT, () -> "delivered"
                    .equals(WebhookFixture.status(api, first)));
            String newSecret = api.post("/v1/webhooks/" + endpoint.id() + "/rotate-secret", "{\"overlapHours\":0}")
                    .expect(200)
                    .json()
                    .get("secret")
                    .asText();

            WebhookFixture.sendTest(api, endpoint.id());

            await(
                    "the delivery after the rotation",
                    WAIT,
                    () -> receiver.received().size() == 2);
            TestReceiver.Received before = receiver.received().get(0);
            TestReceiver.Received after = receiver.received().get(1);
            assertThat(WebhookSignature.verify(
                            before.header("X-Clickledger-Signature"), before.body(), endpoint.secret()))
                    .isTrue();
            assertSignedOnlyBy(after, newSecret, endpoint.secret());
        }
    }

    @Test
    void aChangedUrlGetsTheVeryNextDeliveryThoughTheWorkerHadTheOldOneReady() {
        try (TestReceiver old = TestReceiver.answering(200);
                TestReceiver moved = TestReceiver.answering(200)) {
            WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, old.url("/before-move"));
            String first = WebhookFixture.sendTest(api, endpoint.id());
            await("the delivery before the move", WAIT, () -> "delivered".equals(WebhookFixture.status(api, first)));
            api.patch("/v1/webhooks/" + endpoint.id(), "{\"url\":\"" + moved.url("/after-move") + "\"}")
                    .expect(200);

            String second = WebhookFixture.sendTest(api, endpoint.id());

            await("the delivery after the move", WAIT, () -> moved.received().size() == 1);
            assertThat(moved.received().getFirst().deliveryId()).isEqualTo(second);
            assertThat(old.received()).hasSize(1);
            assertThat(WebhookSignature.verify(
                            moved.received().getFirst().header("X-Clickledger-Signature"),
                            moved.received().getFirst().body(),
                            endpoint.secret()))
                    .isTrue();
        }
    }

    @Test
    void eachEndpointGetsOnlyTheTypesItSubscribesTo() {
        try (TestReceiver links = TestReceiver.answering(200);
                TestReceiver everything = TestReceiver.answering(200)) {
            WebhookFixture.createEndpoint(api, links.url("/links"), "[\"link.created\"]");
            WebhookFixture.createEndpoint(api, everything.url("/all"));
            String programId = api.createProgram();
            String partnerId = api.createPartner();

            String linkId = api.post(
                            "/v1/links",
                            "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}"
                                    .formatted(programId, partnerId, TestApi.unique("hook-")))
                    .expect(201)
                    .json()
                    .get("id")
                    .asText();

            await(
                    "both link.created deliveries",
                    WAIT,
                    () -> links.received().size() == 1 && everything.received().size() == 2);
            JsonNode link = links.received().getFirst().json();
            assertThat(link.get("type").asText()).isEqualTo("link.created");
            assertThat(link.at("/data/id").asText()).isEqualTo(linkId);
            assertThat(link.at("/data/url").asText()).startsWith(TestApi.ROUTER_URL + "/r/hook-");
            assertThat(link.at("/data/partnerId").asText()).isEqualTo(partnerId);
            assertThat(everything.received())
                    .extracting(request -> request.header("X-Clickledger-Event"))
                    .containsExactlyInAnyOrder("partner.created", "link.created");
        }
    }

    @Test
    void revokingAPartnerIsAnnouncedOnce() {
        try (TestReceiver receiver = TestReceiver.answering(200)) {
            String partnerId = api.createPartner();
            WebhookFixture.Endpoint endpoint =
                    WebhookFixture.createEndpoint(api, receiver.url("/revocations"), "[\"partner.revoked\"]");

            api.post("/v1/partners/" + partnerId + "/revoke", null).expect(200);
            api.post("/v1/partners/" + partnerId + "/revoke", null).expect(200);

            JsonNode queued = api.get("/v1/webhooks/" + endpoint.id() + "/deliveries")
                    .expect(200)
                    .json()
                    .get("items");
            assertThat(queued).hasSize(1);
            assertThat(queued.get(0).get("eventType").asText()).isEqualTo("partner.revoked");
            await("the revocation", WAIT, () -> receiver.received().size() == 1);
            JsonNode revoked = receiver.received().getFirst().json();
            assertThat(revoked.at("/data/status").asText()).isEqualTo("revoked");
            assertThat(revoked.at("/resource/id").asText()).isEqualTo(partnerId);
        }
    }

    @Test
    void responseBodyIsKeptCroppedToTwoKilobytes() {
        try (TestReceiver receiver =
                TestReceiver.start(request -> TestReceiver.Reply.status(500).withBody("é".repeat(5000) + "\u0000"))) {
            WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, receiver.url("/verbose"));

            String deliveryId = WebhookFixture.sendTest(api, endpoint.id());

            await(
                    "the failed attempt",
                    WAIT,
                    () -> WebhookFixture.delivery(api, deliveryId)
                                    .get("attemptCount")
                                    .asInt()
                            == 1);
            JsonNode attempt = WebhookFixture.delivery(api, deliveryId).at("/attempts/0");
            assertThat(attempt.get("statusCode").asInt()).isEqualTo(500);
            assertThat(attempt.get("responseBody").asText().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(WebhookSender.MAX_RESPONSE_BYTES);
            assertThat(attempt.get("responseBody").asText()).startsWith("éé");
            assertThat(WebhookFixture.delivery(api, deliveryId).get("status").asText())
                    .isEqualTo("pending");
        }
    }
}
