package clickledger.bench;

import clickledger.common.metrics.Metrics;
import clickledger.router.click.GeoIp;
import clickledger.router.click.UserAgents;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What click intelligence costs the router per redirect (decision 0022), without JMH: the
 * user-agent parser's start time and heap, a verdict for an agent not seen before (a cache miss:
 * parser, crawler list, own rules), a verdict from the cache, and a GeoIP lookup with and without
 * its cache. Each figure is the median of {@code --rounds} timed rounds after a warm-up round.
 *
 * <pre>
 *   agents [--rounds 5] [--agents 20000] [--geoip FILE.mmdb]
 * </pre>
 */
final class AgentCost {
    private static final String[] TEMPLATES = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.%d Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; SM-A%d6B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.%d Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.%d.%d Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:1%d.%d) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Linux; Android 10; CUBOT P%d) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.%d Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.%d; +http://www.google.com/bot.html) %d",
        "facebookexternalhit/1.%d (+http://www.facebook.com/externalhit_uatext.php) %d",
    };

    private AgentCost() {}

    static Map<String, Object> run(Args options) throws Exception {
        int rounds = options.integer("rounds", 5);
        int count = options.integer("agents", 20_000);
        Map<String, Object> result = new LinkedHashMap<>();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        long heapBefore = settledHeap(memory);
        long start = System.nanoTime();
        UserAgents.sharedParser();
        result.put("parserStartMillis", (System.nanoTime() - start) / 1_000_000);
        result.put("parserHeapMB", (settledHeap(memory) - heapBefore) / (1024 * 1024));

        List<Long> missNanos = new ArrayList<>();
        List<Long> hitNanos = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            List<String> fresh = distinctAgents(count, round);
            // A new UserAgents per round: an empty cache, the same shared parser.
            UserAgents cold = UserAgents.unbudgeted();
            long t0 = System.nanoTime();
            int bots = 0;
            for (String agent : fresh) {
                bots += cold.classify("GET", agent).bot() ? 1 : 0;
            }
            long miss = (System.nanoTime() - t0) / count;
            String person = fresh.get(0);
            cold.classify("GET", person);
            long t1 = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) {
                bots += cold.classify("GET", person).bot() ? 1 : 0;
            }
            long hit = (System.nanoTime() - t1) / 1_000_000;
            if (round > 0) {
                missNanos.add(miss);
                hitNanos.add(hit);
            }
            result.put("botsSeen", bots);
        }
        result.put("missMicrosMedian", median(missNanos) / 1_000.0);
        result.put("missMicrosWorst", max(missNanos) / 1_000.0);
        result.put("hitNanosMedian", median(hitNanos));
        result.put("hitNanosWorst", max(hitNanos));

        String geoIpFile = options.string("geoip", null);
        if (geoIpFile != null) {
            result.putAll(geoIp(Path.of(geoIpFile), rounds, memory));
        }
        result.put("rounds", rounds);
        result.put("agentsPerRound", count);
        result.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        return result;
    }

    private static Map<String, Object> geoIp(Path file, int rounds, MemoryMXBean memory) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        long heapBefore = settledHeap(memory);
        long start = System.nanoTime();
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), Metrics.newRegistry("bench"))) {
            result.put("geoipLoadMillis", (System.nanoTime() - start) / 1_000_000);
            result.put("geoipHeapMB", (settledHeap(memory) - heapBefore) / (1024 * 1024));
            List<Long> missNanos = new ArrayList<>();
            List<Long> hitNanos = new ArrayList<>();
            int found = 0;
            Random random = new Random(19);
            for (int round = 0; round <= rounds; round++) {
                int count = 200_000;
                InetAddress[] addresses = new InetAddress[count];
                for (int i = 0; i < count; i++) {
                    // Public unicast space, away from 10/8, 127/8 and multicast.
                    int first = 1 + random.nextInt(223);
                    if (first == 10 || first == 127) {
                        first = 81;
                    }
                    addresses[i] = InetAddress.getByAddress(new byte[] {
                        (byte) first, (byte) random.nextInt(256), (byte) random.nextInt(256), (byte) random.nextInt(256)
                    });
                }
                long t0 = System.nanoTime();
                for (InetAddress address : addresses) {
                    found += geoIp.country(address) != null ? 1 : 0;
                }
                long miss = (System.nanoTime() - t0) / count;
                InetAddress same = addresses[0];
                long t1 = System.nanoTime();
                for (int i = 0; i < 1_000_000; i++) {
                    found += geoIp.country(same) != null ? 1 : 0;
                }
                long hit = (System.nanoTime() - t1) / 1_000_000;
                if (round > 0) {
                    missNanos.add(miss);
                    hitNanos.add(hit);
                }
            }
            result.put("geoipType", String.valueOf(geoIp));
            result.put("geoipFound", found);
            result.put("geoipMissNanosMedian", median(missNanos));
            result.put("geoipMissNanosWorst", max(missNanos));
            result.put("geoipHitNanosMedian", median(hitNanos));
            result.put("geoipHitNanosWorst", max(hitNanos));
        }
        return result;
    }

    private static List<String> distinctAgents(int count, int round) {
        List<String> agents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String template = TEMPLATES[i % TEMPLATES.length];
            agents.add(template.formatted(round * 1_000 + i / TEMPLATES.length, i));
        }
        return agents;
    }

    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
