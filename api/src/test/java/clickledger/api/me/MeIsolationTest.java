package clickledger.api.me;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Partners A and B each own a link, clicks, commissions and a payout in the same program. Through
 * every /v1/me route, with a partner key and with a partner person's session, each sees only its
 * own: the other's ids answer 404 exactly as ids that do not exist, its lists leave the other's
 * rows out, and no admin route answers either of them (403). Both ways round.
 */
class MeIsolationTest {
    private static final String UNKNOWN = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
    private static TestApi api;
    private static String program;
    private static Earner a;
    private static Earner b;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false"));
        program = Earner.program(api);
        a = Earner.in(api, program);
        b = Earner.in(api, program);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Every /v1/me route that names one row, with the owner's id of that row in it. */
    private static List<String> ownedPaths(Earner owner) {
        return List.of(
                "/v1/me/links/" + owner.linkId(),
                "/v1/me/links/" + owner.linkId() + "/qr",
                "/v1/me/links/" + owner.linkId() + "/qr?format=svg",
                "/v1/me/clicks/" + owner.cref(),
                "/v1/me/commissions/" + owner.pendingCommission(),
                "/v1/me/commissions/" + owner.paidCommission(),
                "/v1/me/payouts/" + owner.payoutId());
    }

    private static List<String> ids(String path, String credential) {
        List<String> ids = new ArrayList<>();
        api.send("GET", path, null, credential)
                .expect(200)
                .json()
                .get("items")
                .forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void eachPartnerGets404ForEveryIdOfTheOtherUnderEveryMeRoute() {
        for (Earner[] pair : new Earner[][] {{a, b}, {b, a}}) {
            Earner viewer = pair[0];
            Earner other = pair[1];
            for (String credential : List.of(viewer.key(), viewer.session())) {
                for (String path : ownedPaths(viewer)) {
                    assertThat(api.send("GET", path, null, credential).status())
                            .as("own " + path)
                            .isEqualTo(200);
                }
                for (String path : ownedPaths(other)) {
                    TestApi.Response response = api.send("GET", path, null, credential);
                    assertThat(response.status()).as("the other's " + path).isEqualTo(404);
                    assertThat(response.body()).doesNotContain(other.partnerId());
                    String unknownPath = path.replaceAll("/[0-9A-Z]{26}(?=/|\\?|$)", "/" + UNKNOWN);
                    assertThat(response.json().get("code").asText())
                            .as("as for an id that does not exist: " + unknownPath)
                            .isEqualTo(api.send("GET", unknownPath, null, credential)
                                    .json()
                                    .get("code")
                                    .asText());
                }
            }
        }
    }

    @Test
    void eachPartnersListsAndFiguresHoldOnlyItsOwnRows() {
        for (Earner[] pair : new Earner[][] {{a, b}, {b, a}}) {
            Earner viewer = pair[0];
            Earner other = pair[1];
            for (String credential : List.of(viewer.key(), viewer.session())) {
                assertThat(ids("/v1/me/links?limit=200", credential))
                        .contains(viewer.linkId())
                        .doesNotContain(other.linkId());
                assertThat(ids("/v1/me/commissions?limit=200", credential))
                        .containsExactlyInAnyOrder(viewer.pendingCommission(), viewer.paidCommission());
                assertThat(ids("/v1/me/payouts?limit=200", credential)).containsExactly(viewer.payoutId());
                assertThat(ids("/v1/me/commissions?programId=" + program, credential))
                        .doesNotContain(other.pendingCommission(), other.paidCommission());
                JsonNode stats = api.send("GET", "/v1/me/stats?from=2030-01-15&to=2030-01-15", null, credential)
                        .expect(200)
                        .json();
                assertThat(stats.at("/programs/0/totals/clicks").asLong()).isEqualTo(3);
                assertThat(stats.at("/balances/0/pending").asText()).isEqualTo("4.90");
                JsonNode me =
                        api.send("GET", "/v1/me", null, credential).expect(200).json();
                assertThat(me.get("id").asText()).isEqualTo(viewer.partnerId());
                String profile = api.send("GET", "/v1/me/profile", null, credential)
                        .expect(200)
                        .body();
                assertThat(profile).contains(viewer.partnerId()).doesNotContain(other.partnerId(), other.email());
                assertThat(api.send("GET", "/v1/me/payout-details", null, credential)
                                .status())
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void neitherPartnerReachesAnyAdminRoute() {
        for (Earner[] pair : new Earner[][] {{a, b}, {b, a}}) {
            Earner viewer = pair[0];
            Earner other = pair[1];
            List<String[]> adminCalls = List.of(
                    new String[] {"GET", "/v1/partners/" + other.partnerId()},
                    new String[] {"GET", "/v1/partners"},
                    new String[] {"POST", "/v1/partners/" + other.partnerId() + "/revoke"},
                    new String[] {"GET", "/v1/links/" + other.linkId()},
                    new String[] {"GET", "/v1/links?partnerId=" + other.partnerId()},
                    new String[] {"GET", "/v1/clicks/" + other.cref()},
                    new String[] {"GET", "/v1/commissions/" + other.pendingCommission()},
                    new String[] {"GET", "/v1/commissions?partnerId=" + other.partnerId()},
                    new String[] {"POST", "/v1/commissions/" + viewer.pendingCommission() + "/approve"},
                    new String[] {"GET", "/v1/stats?programId=" + program + "&partnerId=" + other.partnerId()},
                    new String[] {"GET", "/v1/programs/" + program},
                    new String[] {"GET", "/v1/mail"},
                    new String[] {"GET", "/v1/applications"},
                    new String[] {"GET", "/v1/partner-invitations"},
                    new String[] {"GET", "/v1/api-keys"},
                    new String[] {"GET", "/v1/audit-log"});
            for (String credential : List.of(viewer.key(), viewer.session())) {
                for (String[] call : adminCalls) {
                    TestApi.Response response = api.send(call[0], call[1], null, credential);
                    assertThat(response.status()).as(call[0] + " " + call[1]).isEqualTo(403);
                    assertThat(response.body()).doesNotContain(other.email());
                }
            }
        }
        // The commission the partner tried to approve for itself is as it was.
        assertThat(api.get("/v1/commissions/" + a.pendingCommission())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("pending");
    }
}
