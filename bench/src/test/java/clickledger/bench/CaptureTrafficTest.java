package clickledger.bench;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.net.Cidr;
import clickledger.router.click.UserAgents;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture scenario measures what it claims only if its traffic looks like real traffic: a few
 * thousand distinct agents the router classes as phones, desktops, tablets and bots, with a skewed
 * popularity, and public addresses the router would look up (decision 0022, "Measured on the
 * redirect").
 */
class CaptureTrafficTest {
    @TempDir
    Path directory;

    private final CaptureTraffic.Traffic traffic = CaptureTraffic.generate(3_000, 50_000, 100_000, 1.0, 19);

    @Test
    void aFewThousandDistinctAgentsWithASkewedPopularity() {
        assertThat(traffic.agents()).hasSize(3_000).doesNotHaveDuplicates();
        int[] requests = new int[traffic.agents().size()];
        for (int agent : traffic.agentOfRequest()) {
            requests[agent]++;
        }
        // Zipf with s = 1 over 3,000 ranks: the top agent takes ~11.6 %, the top 100 ~60 %, and the
        // tail past rank 1,000 still ~13 %, so the cache sees misses.
        assertThat(CaptureTraffic.share(traffic.agentOfRequest(), 1)).isBetween(10.0, 13.5);
        assertThat(CaptureTraffic.share(traffic.agentOfRequest(), 100)).isBetween(55.0, 65.0);
        assertThat(100 - CaptureTraffic.share(traffic.agentOfRequest(), 1_000)).isBetween(10.0, 16.0);
        assertThat(requests[0]).isGreaterThan(requests[9] * 5);
        assertThat(java.util.Arrays.stream(requests).filter(count -> count > 0).count())
                .as("most agents are requested within one cycle of the file")
                .isGreaterThan(2_500);
    }

    @Test
    void theRouterClassesTheAgentsAsAMixOfPhonesDesktopsTabletsAndBots() {
        UserAgents agents = new UserAgents(UserAgents.sharedParser(), clickledger.router.click.CrawlerList.pinned());
        Map<String, Integer> devices = new HashMap<>();
        Set<String> browsers = new HashSet<>();
        List<String> top = traffic.agents().subList(0, 300);
        for (String agent : top) {
            UserAgents.Verdict verdict = agents.classify("GET", agent);
            devices.merge(verdict.device(), 1, Integer::sum);
            browsers.add(verdict.browser());
        }
        assertThat(devices.getOrDefault("phone", 0)).as(devices.toString()).isGreaterThan(120);
        assertThat(devices.getOrDefault("desktop", 0)).as(devices.toString()).isGreaterThan(30);
        assertThat(devices.getOrDefault("tablet", 0)).as(devices.toString()).isGreaterThan(0);
        assertThat(devices.getOrDefault("bot", 0))
                .as("bots mixed in among the popular agents: " + devices)
                .isBetween(5, 60);
        assertThat(devices.getOrDefault("other", 0)).as(devices.toString()).isLessThan(15);
        assertThat(browsers).contains("Chrome", "Safari", "Firefox", "Edge", "Samsung Internet");
    }

    @Test
    void publicAddressesOfBothFamiliesNoneTheRouterWouldSkip() throws Exception {
        assertThat(traffic.addresses()).hasSize(50_000).doesNotHaveDuplicates();
        int v6 = 0;
        for (String text : traffic.addresses()) {
            InetAddress address = Cidr.IpLiteral.parse(text).orElseThrow(() -> new AssertionError(text));
            assertThat(address.isLoopbackAddress()
                            || address.isSiteLocalAddress()
                            || address.isLinkLocalAddress()
                            || address.isAnyLocalAddress()
                            || address.isMulticastAddress())
                    .as(text)
                    .isFalse();
            v6 += address instanceof Inet6Address ? 1 : 0;
        }
        assertThat(v6).isBetween(9_000, 11_000);
    }

    @Test
    void theFileHasOneAgentTabAddressLinePerRequestAndTheSameSeedGivesTheSameTraffic() throws Exception {
        Path file = directory.resolve("traffic.tsv");
        CaptureTraffic.run(new Args(
                new String[] {"--out", file.toString(), "--agents", "500", "--addresses", "1000", "--requests", "2000"},
                0));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2_000);
        assertThat(lines).allSatisfy(line -> assertThat(line).matches("[\\x20-\\x7e]+\t[0-9a-f.:]+"));
        assertThat(CaptureTraffic.generate(500, 1_000, 2_000, 1.0, 19).agents())
                .isEqualTo(CaptureTraffic.generate(500, 1_000, 2_000, 1.0, 19).agents());
    }
}
