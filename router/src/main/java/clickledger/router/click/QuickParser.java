package clickledger.router.click;

/**
 * The families a user agent names outright, by its tokens, in a microsecond: what a click gets
 * when the router meets an agent its cache does not hold ({@link UserAgents}): the agent is parsed
 * properly on the parsing thread, and this verdict stands in the cache until then.
 */
final class QuickParser implements UserAgents.Parser {
    @Override
    public Parsed parse(String userAgent) {
        return new Parsed(device(userAgent), browser(userAgent), os(userAgent), false);
    }

    private static String device(String agent) {
        if (agent.contains("iPad")
                || agent.contains("Tablet")
                || (agent.contains("Android") && !agent.contains("Mobile"))) {
            return "tablet";
        }
        if (agent.contains("iPhone") || agent.contains("Mobile") || agent.contains("Android")) {
            return "phone";
        }
        if (agent.contains("Windows NT")
                || agent.contains("Macintosh")
                || agent.contains("X11")
                || agent.contains("CrOS")) {
            return "desktop";
        }
        return "other";
    }

    private static String browser(String agent) {
        if (agent.contains("Edg/") || agent.contains("EdgA/") || agent.contains("EdgiOS/")) {
            return "Edge";
        }
        if (agent.contains("OPR/") || agent.contains("Opera")) {
            return "Opera";
        }
        if (agent.contains("SamsungBrowser/")) {
            return "Samsung Internet";
        }
        if (agent.contains("Firefox/") || agent.contains("FxiOS/")) {
            return "Firefox";
        }
        if (agent.contains("Chrome/") || agent.contains("CriOS/")) {
            return "Chrome";
        }
        if (agent.contains("Safari/")) {
            return "Safari";
        }
        return UserAgents.OTHER;
    }

    private static String os(String agent) {
        if (agent.contains("Windows")) {
            return "Windows";
        }
        if (agent.contains("iPhone") || agent.contains("iPad") || agent.contains("iPod")) {
            return "iOS";
        }
        if (agent.contains("Android")) {
            return "Android";
        }
        if (agent.contains("CrOS")) {
            return "ChromeOS";
        }
        if (agent.contains("Macintosh") || agent.contains("Mac OS X")) {
            return "macOS";
        }
        if (agent.contains("Linux")) {
            return "Linux";
        }
        return UserAgents.OTHER;
    }
}
