package clickledger.router.click;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Decides whether a click came from software rather than a person. Bots still get their 302 and
 * their click is stored with the reason; they never earn attribution. Matching is substring
 * search on the lower-cased user agent, in list order, so the more specific names come first.
 */
public final class BotClassifier {
    private static final String[][] PATTERNS = {
        // Link previewers fetch a URL the moment it is pasted into a chat.
        {"slackbot", "link_preview:slack"},
        {"slack-imgproxy", "link_preview:slack"},
        {"facebookexternalhit", "link_preview:facebook"},
        {"facebookcatalog", "link_preview:facebook"},
        {"linkedinbot", "link_preview:linkedin"},
        {"discordbot", "link_preview:discord"},
        {"whatsapp", "link_preview:whatsapp"},
        {"telegrambot", "link_preview:telegram"},
        {"twitterbot", "link_preview:twitter"},
        {"skypeuripreview", "link_preview:skype"},
        {"pinterestbot", "link_preview:pinterest"},
        {"redditbot", "link_preview:reddit"},
        {"embedly", "link_preview:embedly"},
        {"iframely", "link_preview:iframely"},
        {"vkshare", "link_preview:vk"},
        {"applebot", "crawler:applebot"},
        // Headless and automated browsers.
        {"headlesschrome", "headless:chrome"},
        {"phantomjs", "headless:phantomjs"},
        {"puppeteer", "headless:puppeteer"},
        {"playwright", "headless:playwright"},
        {"selenium", "headless:selenium"},
        {"electron", "headless:electron"},
        // Uptime checkers.
        {"uptimerobot", "uptime:uptimerobot"},
        {"pingdom", "uptime:pingdom"},
        {"statuscake", "uptime:statuscake"},
        {"site24x7", "uptime:site24x7"},
        {"betteruptime", "uptime:betteruptime"},
        {"uptime-kuma", "uptime:uptime-kuma"},
        {"freshping", "uptime:freshping"},
        {"datadog", "uptime:datadog"},
        {"newrelicpinger", "uptime:newrelic"},
        // Scanners.
        {"zgrab", "scanner:zgrab"},
        {"masscan", "scanner:masscan"},
        {"nmap", "scanner:nmap"},
        {"nikto", "scanner:nikto"},
        {"sqlmap", "scanner:sqlmap"},
        {"nuclei", "scanner:nuclei"},
        {"censys", "scanner:censys"},
        // Command-line and library HTTP clients.
        {"curl/", "http_client:curl"},
        {"wget", "http_client:wget"},
        {"python-requests", "http_client:python"},
        {"python-urllib", "http_client:python"},
        {"aiohttp", "http_client:python"},
        {"go-http-client", "http_client:go"},
        {"java/", "http_client:java"},
        {"java-http-client", "http_client:java"},
        {"okhttp", "http_client:okhttp"},
        {"axios", "http_client:node"},
        {"node-fetch", "http_client:node"},
        {"libwww-perl", "http_client:perl"},
        {"httpclient", "http_client:other"},
        // Search and SEO crawlers, and anything that calls itself a bot.
        {"googlebot", "crawler:google"},
        {"bingbot", "crawler:bing"},
        {"yandex", "crawler:yandex"},
        {"baiduspider", "crawler:baidu"},
        {"duckduckbot", "crawler:duckduckgo"},
        {"ahrefsbot", "crawler:ahrefs"},
        {"semrushbot", "crawler:semrush"},
        {"gptbot", "crawler:openai"},
        {"bot", "crawler:other"},
        {"crawler", "crawler:other"},
        {"spider", "crawler:other"},
        {"scrapy", "crawler:other"},
    };

    // Recently seen user agents and their verdict. Traffic repeats a few hundred agents (browser
    // builds and the usual bots), and lower-casing an agent plus sixty substring searches was the
    // handler's largest cost per redirect. 1,024 slots hold a busy minute's distinct agents; two
    // agents in one slot just evict each other, and a miss only costs the full check.
    private static final int CACHE_SLOTS = 1 << 10;
    // Longer agents are checked every time, so hostile multi-KB headers cannot pin memory here.
    private static final int CACHED_AGENT_MAX = 512;
    private static final String PERSON = "";

    private record Verdict(String userAgent, String reason) {}

    private final AtomicReferenceArray<Verdict> recent = new AtomicReferenceArray<>(CACHE_SLOTS);

    /** The reason, or null for a person. */
    public String classify(String method, String userAgent) {
        if ("HEAD".equals(method)) {
            return "head_request";
        }
        if (userAgent == null || userAgent.isBlank()) {
            return "no_user_agent";
        }
        if (userAgent.length() > CACHED_AGENT_MAX) {
            return match(userAgent);
        }
        int slot = userAgent.hashCode() & (CACHE_SLOTS - 1);
        Verdict known = recent.get(slot);
        if (known != null && known.userAgent().equals(userAgent)) {
            return known.reason().isEmpty() ? null : known.reason();
        }
        String reason = match(userAgent);
        recent.set(slot, new Verdict(userAgent, reason == null ? PERSON : reason));
        return reason;
    }

    private static String match(String userAgent) {
        String lower = userAgent.toLowerCase(Locale.ROOT);
        for (String[] pattern : PATTERNS) {
            if (lower.contains(pattern[0])) {
                return pattern[1];
            }
        }
        return null;
    }
}
