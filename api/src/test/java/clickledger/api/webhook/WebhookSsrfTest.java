package clickledger.api.webhook;

import static clickledger.api.webhook.TestReceiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SSRF guard, with WEBHOOK_ALLOW_PRIVATE off: at registration, at every delivery, address by address. */
class WebhookSsrfTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        // The default: private destinations refused. No worker, so nothing leaves this machine.
        api = TestApi.start(Map.of("WEBHOOK_WORKER_ENABLED", "false"));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void registrationRefusesDestinationsThatAreNotPublic() {
        for (String url : new String[] {
            "http://127.0.0.1/hook",
            "http://127.1.2.3:8080/hook",
            "http://localhost:4601/v1/programs",
            "http://[::1]/hook",
            "http://0.0.0.0/hook",
            "http://[::]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/hook",
            "http://10.0.0.5/hook",
            "http://172.16.3.4/hook",
            "http://172.31.255.255/hook",
            "http://192.168.1.1/hook",
            "http://[fc00::1]/hook",
            "http://[fd12:3456::1]/hook",
            "http://100.64.0.1/hook",
            "http://100.127.255.254/hook",
            "http://224.0.0.1/hook",
            "http://[ff02::1]/hook",
            "http://255.255.255.255/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[::ffff:a9fe:a9fe]/hook",
            "http://[64:ff9b::a9fe:a9fe]/hook",
            "http://[2002:a00:1::]/hook",
            "http://2130706433/hook",
            "http://no-such-host.invalid/hook"
        }) {
            TestApi.Response response = api.post("/v1/webhooks", "{\"url\":\"" + url + "\"}");

            assertThat(response.status()).as(url).isEqualTo(400);
            assertThat(response.errorFields()).as(url).containsExactly("url");
        }
    }

    @Test
    void refusalSaysWhatTheHostResolvedTo() {
        JsonNode problem = api.post("/v1/webhooks", "{\"url\":\"http://169.254.169.254/latest\"}")
                .json();

        assertThat(problem.get("detail").asText())
                .contains("169.254.169.254")
                .contains("link-local")
                .contains("WEBHOOK_ALLOW_PRIVATE");
    }

    @Test
    void registrationAcceptsPublicAddresses() {
        api.post("/v1/webhooks", "{\"url\":\"https://8.8.8.8/hook\"}").expect(201);
        api.post("/v1/webhooks", "{\"url\":\"https://[2606:4700:4700::1111]/hook\"}")
                .expect(201);
        api.post("/v1/webhooks", "{\"url\":\"http://172.32.0.1/hook\"}").expect(201);
        api.post("/v1/webhooks", "{\"url\":\"http://100.128.0.1/hook\"}").expect(201);
    }

    @Test
    void patchingTheUrlToAPrivateAddressIsRefused() {
        String id = api.post("/v1/webhooks", "{\"url\":\"https://8.8.4.4/hook\"}")
                .expect(201)
                .json()
                .get("id")
                .asText();

        TestApi.Response response = api.patch("/v1/webhooks/" + id, "{\"url\":\"http://10.1.1.1/internal\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("url");
        assertThat(api.get("/v1/webhooks/" + id).expect(200).json().get("url").asText())
                .isEqualTo("https://8.8.4.4/hook");
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void deliveryToADestinationThatIsNoLongerPublicFailsWithDestinationRefused() {
        try (TestApi permissive = TestApi.start(WebhookFixture.NO_WORKER);
                TestReceiver receiver = TestReceiver.answering(200);
                WebhookWorker strict = WebhookFixture.worker(
                                permissive, permissive.clock(), Map.of("WEBHOOK_ALLOW_PRIVATE", "false"), () -> 1.0)
                        .start()) {
            // Registered while allowed (or while its DNS still pointed elsewhere); refused at delivery.
            String deliveryId = WebhookFixture.sendTest(
                    permissive,
                    WebhookFixture.createEndpoint(permissive, receiver.url("/internal"))
                            .id());

            await(
                    "the refused attempt",
                    Duration.ofSeconds(20),
                    () -> WebhookFixture.delivery(permissive, deliveryId)
                                    .get("attemptCount")
                                    .asInt()
                            == 1);

            JsonNode delivery = WebhookFixture.delivery(permissive, deliveryId);
            assertThat(delivery.get("lastError").asText()).startsWith("destination_refused");
            assertThat(delivery.at("/attempts/0/error").asText())
                    .startsWith("destination_refused")
                    .contains("loopback");
            assertThat(delivery.at("/attempts/0/statusCode").isNull()).isTrue();
            assertThat(delivery.get("status").asText()).isEqualTo("pending");
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void everyResolvedAddressMustBePublic() throws UnknownHostException {
        InetAddress publicAddress = InetAddress.getByName("93.184.215.14");
        InetAddress privateAddress = InetAddress.getByName("10.0.0.7");
        DestinationGuard guard = new DestinationGuard(false, host -> new InetAddress[] {publicAddress, privateAddress});

        DestinationGuard.Verdict verdict = guard.check(new WebhookUrl("https://rebinding.example.com/hook"));

        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.refusal()).contains("10.0.0.7").contains("private");
    }

    @Test
    void hostThatDoesNotResolveIsRefused() {
        DestinationGuard guard = new DestinationGuard(true, host -> {
            throw new UnknownHostException(host);
        });

        assertThat(guard.check(new WebhookUrl("https://gone.example.com/hook")).refusal())
                .isEqualTo("host gone.example.com does not resolve");
    }

    @Test
    void allowPrivateLetsLocalDestinationsThrough() throws UnknownHostException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        DestinationGuard guard = new DestinationGuard(true, host -> new InetAddress[] {loopback});

        assertThat(guard.check(new WebhookUrl("http://localhost:8080/hook")).allowed())
                .isTrue();
    }

    @Test
    void addressRangesAreClassified() throws UnknownHostException {
        for (String refused : new String[] {
            "0.1.2.3",
            "10.255.0.1",
            "100.64.0.0",
            "127.0.0.1",
            "169.254.0.1",
            "172.16.0.0",
            "172.31.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.0.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.1.1.1",
            "240.0.0.1",
            "::",
            "::1",
            "::127.0.0.1",
            "fc00::",
            "fdff::1",
            "fe80::1",
            "fec0::1",
            "ff00::1",
            "64:ff9b::10.0.0.1",
            "2002:7f00:1::",
            "2001:db8::1",
            "100::1"
        }) {
            assertThat(DestinationGuard.refusedRange(InetAddress.getByName(refused)))
                    .as(refused)
                    .isPresent();
        }
        for (String allowed : new String[] {
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "64:ff9b::8.8.8.8",
            "2002:808:808::"
        }) {
            assertThat(DestinationGuard.refusedRange(InetAddress.getByName(allowed)))
                    .as(allowed)
                    .isEmpty();
        }
    }
}
