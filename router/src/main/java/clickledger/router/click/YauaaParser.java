package clickledger.router.click;

import java.util.Map;
import java.util.Set;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * The user-agent parser: Yauaa (nl.basjes.parse.useragent), built for the four fields the router
 * stores, so it loads only the matchers those need (decision 0022 has the startup, heap and
 * per-parse figures). Its own cache is off: {@link UserAgents} caches whole verdicts.
 */
public final class YauaaParser implements UserAgents.Parser {
    // Yauaa's device classes, onto the contract's five (CONTRACT-19: desktop, phone, tablet, bot, other).
    private static final Map<String, String> DEVICES = Map.ofEntries(
            Map.entry("Desktop", "desktop"),
            Map.entry("Phone", "phone"),
            Map.entry("Mobile", "phone"),
            Map.entry("Tablet", "tablet"),
            Map.entry("Robot", "bot"),
            Map.entry("Robot Mobile", "bot"),
            Map.entry("Robot Imitator", "bot"),
            Map.entry("Hacker", "bot"),
            Map.entry("Spy", "bot"));
    private static final Set<String> ROBOT_DEVICES = Set.of("Robot", "Robot Mobile", "Robot Imitator", "Hacker", "Spy");
    private static final Set<String> ROBOT_AGENTS = Set.of("Robot", "Robot Mobile", "Hacker");
    // Where Yauaa's name differs from the family name merchants know (and Dub shows).
    private static final Map<String, String> BROWSERS = Map.of(
            "SamsungBrowser", "Samsung Internet",
            "Samsung Browser", "Samsung Internet",
            "Opera Mobile", "Opera",
            "Edge Mobile", "Edge");
    private static final Map<String, String> SYSTEMS = Map.of(
            "Windows NT", "Windows",
            "Mac OS", "macOS",
            "Mac OS X", "macOS",
            "Chrome OS", "ChromeOS",
            "Windows Phone", "Windows Phone");
    // Yauaa names Linux distributions; the stats want the family (CONTRACT-19: Linux).
    private static final Set<String> LINUX = Set.of(
            "Ubuntu",
            "Kubuntu",
            "Xubuntu",
            "Lubuntu",
            "Fedora",
            "Debian",
            "Linux Mint",
            "Mint",
            "Arch Linux",
            "CentOS",
            "Red Hat",
            "RedHat",
            "openSUSE",
            "SUSE",
            "Gentoo",
            "Mageia",
            "Manjaro",
            "Mandriva",
            "Raspbian",
            "Slackware",
            "elementary OS",
            "Zorin OS",
            "Pop!_OS");
    private static final Set<String> UNKNOWN = Set.of("Unknown", "??", "Hacker", "");

    private final UserAgentAnalyzer analyzer;

    public YauaaParser() {
        this.analyzer = UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                .withoutCache()
                .withFields(
                        UserAgent.DEVICE_CLASS,
                        UserAgent.AGENT_CLASS,
                        UserAgent.AGENT_NAME,
                        UserAgent.OPERATING_SYSTEM_NAME)
                .immediateInitialization()
                .dropTests()
                .build();
    }

    @Override
    public Parsed parse(String userAgent) {
        UserAgent parsed = analyzer.parse(userAgent);
        String deviceClass = parsed.getValue(UserAgent.DEVICE_CLASS);
        String agentClass = parsed.getValue(UserAgent.AGENT_CLASS);
        boolean robot = ROBOT_DEVICES.contains(deviceClass) || ROBOT_AGENTS.contains(agentClass);
        return new Parsed(
                DEVICES.getOrDefault(deviceClass, "other"),
                family(parsed.getValue(UserAgent.AGENT_NAME), BROWSERS),
                os(parsed.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
                robot);
    }

    private static String os(String name) {
        return name != null && LINUX.contains(name) ? "Linux" : family(name, SYSTEMS);
    }

    private static String family(String name, Map<String, String> renames) {
        if (name == null || UNKNOWN.contains(name)) {
            return UserAgents.OTHER;
        }
        return renames.getOrDefault(name, name);
    }
}
