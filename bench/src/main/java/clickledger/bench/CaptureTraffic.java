package clickledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Traffic for make bench's capture scenario (bench/scenarios/12-capture.sh, decision 0022): a
 * sequence of requests, each a User-Agent and an X-Forwarded-For address, that bench/capture.lua
 * turns into wrk requests. The agents are a few thousand distinct real-looking ones (phones of many
 * makers, desktops, in-app browsers, tablets, and real crawler and previewer agents from the
 * router's pinned crawler list) ranked by a weighted draw of families and requested with Zipf
 * popularity, so the top agents carry most clicks and the tail misses the router's per-agent cache
 * as real traffic would. The addresses are public IPv4 and IPv6 (80/20), drawn uniformly from a
 * pool much larger than the router's GeoIP cache, so most lookups walk the tree.
 *
 * <pre>
 *   capture-traffic --out FILE [--agents 3000] [--addresses 50000] [--requests 100000]
 *                   [--zipf 1.0] [--seed 19]
 * </pre>
 *
 * Writes one {@code agent TAB address} line per request; prints what it wrote.
 */
final class CaptureTraffic {
    /** The agents, most popular first, and the requests drawn from them. */
    record Traffic(List<String> agents, List<String> addresses, int[] agentOfRequest, int[] addressOfRequest) {}

    private static final String CRAWLERS = "/clickledger/router/click/crawler-user-agents.json";

    private static final String[] ANDROID_PHONES = {
        "SM-A515F",
        "SM-A525F",
        "SM-A536B",
        "SM-A546B",
        "SM-A145F",
        "SM-A047F",
        "SM-G991B",
        "SM-G998B",
        "SM-S901B",
        "SM-S911B",
        "SM-S918B",
        "SM-S928B",
        "SM-M336B",
        "SM-A235F",
        "Pixel 6",
        "Pixel 6a",
        "Pixel 7",
        "Pixel 7 Pro",
        "Pixel 8",
        "Pixel 8 Pro",
        "Redmi Note 11",
        "Redmi Note 12",
        "Redmi Note 12 Pro",
        "Redmi Note 13",
        "M2101K6G",
        "22101316G",
        "2201117TY",
        "23053RN02Y",
        "CPH2409",
        "CPH2483",
        "CPH2219",
        "RMX3085",
        "RMX3630",
        "V2202",
        "V2231",
        "vivo 1906",
        "moto g(60)",
        "moto g54 5G",
        "motorola edge 30",
        "Nokia G21",
        "ONEPLUS A6013",
        "LE2123",
        "CPH2449",
        "Infinix X6816",
        "Infinix X669C",
        "TECNO KI5q",
        "TECNO CK7n",
        "itel A665L",
        "CUBOT P40",
        "CUBOT KingKong 7",
        "DOOGEE S100",
        "Blackview BV9300",
        "HUAWEI P30 lite",
        "ELS-NX9",
        "JNY-LX1",
        "ANE-LX1",
        "ZTE Blade A72",
        "Xiaomi 13T",
        "POCO X5 Pro 5G",
        "FP4",
    };
    private static final String[] ANDROID_TABLETS = {
        "SM-X200", "SM-X110", "SM-T510", "SM-X700", "Lenovo TB-X606F", "Nexus 9", "MRX-W09", "Redmi Pad",
    };
    private static final String[] IPHONES = {
        "iPhone10,4", "iPhone11,8", "iPhone12,1", "iPhone12,8", "iPhone13,2", "iPhone14,2", "iPhone14,5",
        "iPhone14,7", "iPhone15,2", "iPhone15,4", "iPhone16,1", "iPhone16,2", "iPhone17,1", "iPhone17,3",
    };
    private static final String[] LOCALES = {"en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pt_BR", "it_IT", "nl_NL"};

    private CaptureTraffic() {}

    static Map<String, Object> run(Args options) throws IOException {
        Path out = Path.of(options.string("out"));
        Traffic traffic = generate(
                options.integer("agents", 3_000),
                options.integer("addresses", 50_000),
                options.integer("requests", 100_000),
                Double.parseDouble(options.string("zipf", "1.0")),
                options.longValue("seed", 19));
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < traffic.agentOfRequest().length; i++) {
                writer.write(traffic.agents().get(traffic.agentOfRequest()[i]));
                writer.write('\t');
                writer.write(traffic.addresses().get(traffic.addressOfRequest()[i]));
                writer.write('\n');
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", out.toString());
        result.put("requests", traffic.agentOfRequest().length);
        result.put("distinctAgents", traffic.agents().size());
        result.put("distinctAgentsRequested", distinct(traffic.agentOfRequest()));
        result.put("topAgentShare", share(traffic.agentOfRequest(), 1));
        result.put("top100AgentsShare", share(traffic.agentOfRequest(), 100));
        result.put("distinctAddresses", traffic.addresses().size());
        return result;
    }

    static Traffic generate(int agentCount, int addressCount, int requestCount, double zipf, long seed) {
        Random random = new Random(seed);
        List<String> agents = rankedAgents(agentCount, random);
        List<String> addresses = addresses(addressCount, random);
        double[] cumulative = zipfCumulative(agents.size(), zipf);
        int[] agentOf = new int[requestCount];
        int[] addressOf = new int[requestCount];
        for (int i = 0; i < requestCount; i++) {
            agentOf[i] = rank(cumulative, random.nextDouble());
            addressOf[i] = random.nextInt(addresses.size());
        }
        return new Traffic(agents, addresses, agentOf, addressOf);
    }

    // ---------------------------------------------------------------------------------------------
    // Agents

    private record Family(double weight, List<String> agents) {}

    /**
     * {@code count} distinct agents in popularity order: each rank draws a family by its share of
     * real traffic (phones first), then that family's next agent, so every family's own versions
     * spread down the ranks and bots turn up among the browsers rather than all at the end.
     */
    static List<String> rankedAgents(int count, Random random) {
        List<Family> families = List.of(
                new Family(0.30, androidChrome(random)),
                new Family(0.18, iphoneSafari(random)),
                new Family(0.10, inApp(random)),
                new Family(0.14, desktopChrome(random)),
                new Family(0.05, edge(random)),
                new Family(0.04, firefox(random)),
                new Family(0.04, macSafari(random)),
                new Family(0.05, samsungInternet(random)),
                new Family(0.03, tablets(random)),
                new Family(0.07, bots(random)));
        int[] next = new int[families.size()];
        Set<String> ranked = new LinkedHashSet<>();
        double total = families.stream().mapToDouble(Family::weight).sum();
        while (ranked.size() < count) {
            int chosen = -1;
            for (int attempt = 0; attempt < 100 && chosen < 0; attempt++) {
                double draw = random.nextDouble() * total;
                for (int f = 0; f < families.size(); f++) {
                    draw -= families.get(f).weight();
                    if (draw < 0) {
                        if (next[f] < families.get(f).agents().size()) {
                            chosen = f;
                        }
                        break;
                    }
                }
            }
            if (chosen < 0) {
                throw new IllegalArgumentException(
                        "only " + ranked.size() + " distinct agents can be made; asked for " + count);
            }
            ranked.add(families.get(chosen).agents().get(next[chosen]++));
        }
        return List.copyOf(ranked);
    }

    private static List<String> shuffled(Set<String> agents, Random random) {
        List<String> list = new ArrayList<>(agents);
        Collections.shuffle(list, random);
        return list;
    }

    private static List<String> androidChrome(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (String model : ANDROID_PHONES) {
            for (int android = 10; android <= 14; android++) {
                for (int chrome = 116; chrome <= 131; chrome++) {
                    agents.add("Mozilla/5.0 (Linux; Android " + android + "; " + model
                            + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + ".0." + build(chrome) + "."
                            + (50 + random.nextInt(150)) + " Mobile Safari/537.36");
                }
            }
        }
        // Chrome's reduced agent: every phone looks alike.
        for (int chrome = 110; chrome <= 131; chrome++) {
            agents.add("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome
                    + ".0.0.0 Mobile Safari/537.36");
        }
        return shuffled(agents, random);
    }

    private static List<String> samsungInternet(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (String model : ANDROID_PHONES) {
            if (!model.startsWith("SM-")) {
                continue;
            }
            for (int version = 20; version <= 26; version++) {
                for (int android = 12; android <= 14; android++) {
                    agents.add("Mozilla/5.0 (Linux; Android " + android + "; " + model
                            + ") AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/" + version
                            + ".0 Chrome/" + (100 + version + 10) + ".0.0.0 Mobile Safari/537.36");
                }
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> iphoneSafari(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (int major = 15; major <= 18; major++) {
            for (int minor = 0; minor <= 7; minor++) {
                for (int patch = 0; patch <= 3; patch++) {
                    String ios = major + "_" + minor + (patch == 0 ? "" : "_" + patch);
                    agents.add("Mozilla/5.0 (iPhone; CPU iPhone OS " + ios
                            + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + major + "." + minor
                            + " Mobile/15E148 Safari/604.1");
                    agents.add("Mozilla/5.0 (iPhone; CPU iPhone OS " + ios
                            + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/" + (110 + minor + patch)
                            + ".0.6099." + (100 + random.nextInt(120)) + " Mobile/15E148 Safari/604.1");
                }
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> inApp(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (int i = 0; i < 1_500; i++) {
            String iphone = IPHONES[random.nextInt(IPHONES.length)];
            int iosMajor = 16 + random.nextInt(3);
            String ios = iosMajor + "_" + random.nextInt(7);
            String locale = LOCALES[random.nextInt(LOCALES.length)];
            switch (random.nextInt(3)) {
                case 0 ->
                    agents.add("Mozilla/5.0 (iPhone; CPU iPhone OS " + ios
                            + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram "
                            + (300 + random.nextInt(60)) + ".0.0." + random.nextInt(40) + "." + random.nextInt(120)
                            + " ("
                            + iphone + "; iOS " + ios + "; " + locale + "; " + locale.substring(0, 2)
                            + "; scale=3.00; 1170x2532; " + (500_000_000 + random.nextInt(100_000_000)) + ")");
                case 1 ->
                    agents.add("Mozilla/5.0 (iPhone; CPU iPhone OS " + ios
                            + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/"
                            + (440 + random.nextInt(40)) + ".0.0." + random.nextInt(60) + "." + random.nextInt(120)
                            + ";FBBV/" + (600_000_000 + random.nextInt(50_000_000)) + ";FBDV/" + iphone
                            + ";FBMD/iPhone;FBSN/iOS;FBSV/" + ios.replace('_', '.') + ";FBSS/3;FBID/phone;FBLC/"
                            + locale
                            + ";FBOP/5;FBRV/0]");
                default -> {
                    String model = ANDROID_PHONES[random.nextInt(ANDROID_PHONES.length)];
                    int chrome = 118 + random.nextInt(14);
                    agents.add("Mozilla/5.0 (Linux; Android " + (11 + random.nextInt(4)) + "; " + model
                            + "; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/" + chrome + ".0."
                            + build(chrome) + "." + random.nextInt(200) + " Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/"
                            + (440 + random.nextInt(40)) + ".0.0." + random.nextInt(60) + "." + random.nextInt(120)
                            + ";]");
                }
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> desktopChrome(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        String[] systems = {
            "Windows NT 10.0; Win64; x64",
            "Macintosh; Intel Mac OS X 10_15_7",
            "X11; Linux x86_64",
            "X11; CrOS x86_64 14541.0.0",
        };
        for (String system : systems) {
            for (int chrome = 100; chrome <= 131; chrome++) {
                agents.add("Mozilla/5.0 (" + system + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome
                        + ".0.0.0 Safari/537.36");
                agents.add("Mozilla/5.0 (" + system + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome
                        + ".0." + build(chrome) + "." + (30 + random.nextInt(200)) + " Safari/537.36");
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> edge(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (int chrome = 110; chrome <= 131; chrome++) {
            for (int i = 0; i < 6; i++) {
                agents.add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
                        + chrome + ".0.0.0 Safari/537.36 Edg/" + chrome + ".0." + build(chrome) + "."
                        + (30 + random.nextInt(100)));
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> firefox(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        String[] systems = {
            "Windows NT 10.0; Win64; x64",
            "Macintosh; Intel Mac OS X 10.15",
            "X11; Linux x86_64",
            "X11; Ubuntu; Linux x86_64",
            "Android 14; Mobile",
        };
        for (String system : systems) {
            for (int version = 100; version <= 133; version++) {
                agents.add("Mozilla/5.0 (" + system + "; rv:" + version + ".0) Gecko/"
                        + (system.startsWith("Android") ? version + ".0" : "20100101") + " Firefox/" + version + ".0");
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> macSafari(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (int major = 14; major <= 18; major++) {
            for (int minor = 0; minor <= 6; minor++) {
                for (int patch = 0; patch <= 2; patch++) {
                    agents.add(
                            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                    + major + "." + minor + (patch == 0 ? "" : "." + patch) + " Safari/605.1.15");
                }
            }
        }
        return shuffled(agents, random);
    }

    private static List<String> tablets(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        for (String model : ANDROID_TABLETS) {
            for (int chrome = 116; chrome <= 131; chrome++) {
                agents.add("Mozilla/5.0 (Linux; Android 13; " + model
                        + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + ".0.0.0 Safari/537.36");
            }
        }
        for (int major = 15; major <= 18; major++) {
            for (int minor = 0; minor <= 6; minor++) {
                agents.add("Mozilla/5.0 (iPad; CPU OS " + major + "_" + minor
                        + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + major + "." + minor
                        + " Mobile/15E148 Safari/604.1");
            }
        }
        return shuffled(agents, random);
    }

    /** Real crawler, previewer and tool agents: the example agents of the router's pinned crawler list. */
    private static List<String> bots(Random random) {
        Set<String> agents = new LinkedHashSet<>();
        try (InputStream in = CaptureTraffic.class.getResourceAsStream(CRAWLERS)) {
            if (in == null) {
                throw new IllegalStateException(CRAWLERS + " is not on the class path (the router's jar)");
            }
            for (JsonNode entry : new ObjectMapper().readTree(in)) {
                for (JsonNode instance : entry.path("instances")) {
                    String agent = instance.asText();
                    // The TAB separates fields in the traffic file, and wrk sends header values raw.
                    if (!agent.isBlank()
                            && agent.length() <= 400
                            && agent.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                        agents.add(agent);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return shuffled(agents, random);
    }

    // A plausible Chrome build number for a major version (Chrome 120 is 6099).
    private static int build(int chrome) {
        return 6099 + (chrome - 120) * 55;
    }

    // ---------------------------------------------------------------------------------------------
    // Popularity and addresses

    /** The cumulative Zipf distribution over ranks 1..n with exponent s. */
    static double[] zipfCumulative(int n, double s) {
        double[] cumulative = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1 / Math.pow(rank, s);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static int rank(double[] cumulative, double draw) {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (cumulative[middle] < draw) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /**
     * Distinct public addresses, four in five IPv4 (any unicast /8 but 0, 10, 100, 127, 169, 172,
     * 192 and 198, which hold the private, shared, loopback, link-local and test blocks) and one in
     * five IPv6 inside the regional registries' blocks (2001:0200::/23 up to 2c00::/12), where most
     * addresses are allocated, as visitors' addresses are.
     */
    static List<String> addresses(int count, Random random) {
        Set<String> addresses = new LinkedHashSet<>();
        int[] v6Prefixes = {
            0x2001, 0x2003, 0x2400, 0x2401, 0x2403, 0x2405, 0x2600, 0x2601, 0x2602, 0x2603, 0x2604, 0x2605, 0x2606,
            0x2607, 0x2800, 0x2803, 0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a04, 0x2a05, 0x2c0f
        };
        while (addresses.size() < count) {
            try {
                if (random.nextInt(5) < 4) {
                    int first;
                    do {
                        first = 1 + random.nextInt(223);
                    } while (first == 10
                            || first == 100
                            || first == 127
                            || first == 169
                            || first == 172
                            || first == 192
                            || first == 198);
                    addresses.add(InetAddress.getByAddress(new byte[] {
                                (byte) first,
                                (byte) random.nextInt(256),
                                (byte) random.nextInt(256),
                                (byte) (1 + random.nextInt(254))
                            })
                            .getHostAddress());
                } else {
                    byte[] bytes = new byte[16];
                    random.nextBytes(bytes);
                    int prefix = v6Prefixes[random.nextInt(v6Prefixes.length)];
                    bytes[0] = (byte) (prefix >>> 8);
                    bytes[1] = (byte) prefix;
                    if (prefix == 0x2001) {
                        // 2001:0200::/23 onwards: past Teredo (2001::/32) and the documentation blocks.
                        bytes[2] = (byte) (0x02 + random.nextInt(0x0e));
                    }
                    addresses.add(InetAddress.getByAddress(bytes).getHostAddress());
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(addresses);
    }

    // ---------------------------------------------------------------------------------------------

    private static int distinct(int[] values) {
        return (int) java.util.Arrays.stream(values).distinct().count();
    }

    /** The share of requests that go to the {@code top} most popular agents, in per cent. */
    static double share(int[] agentOfRequest, int top) {
        long count = java.util.Arrays.stream(agentOfRequest)
                .filter(rank -> rank < top)
                .count();
        return Math.round(1000.0 * count / agentOfRequest.length) / 10.0;
    }
}
