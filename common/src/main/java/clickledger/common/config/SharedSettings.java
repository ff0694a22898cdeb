package clickledger.common.config;

import clickledger.common.net.Cidr;
import java.util.ArrayList;
import java.util.List;

/** Settings that more than one service reads, declared here once so each has one default and one meaning. */
public final class SharedSettings {
    private SharedSettings() {}

    // Read by logback.xml in every process, not by an EnvReader (a test checks the two lists agree).
    public static final Setting LOG_FORMAT = Setting.withDefault(
                    "LOG_FORMAT",
                    "json",
                    "`json`: one JSON object per line with `service` and `requestId`; `text`: for people")
            .shownAs("`json` (`make run`: `text`)");
    public static final Setting LOG_LEVEL = Setting.withDefault("LOG_LEVEL", "INFO", "root log level");
    public static final List<Setting> LOGGING = List.of(LOG_FORMAT, LOG_LEVEL);

    public static final Setting TRUSTED_PROXIES = Setting.optional(
            "TRUSTED_PROXIES",
            "comma-separated addresses/CIDRs whose `X-Forwarded-*` headers are believed; otherwise the socket"
                    + " address is the client (the api needs it to rate-limit keyless identify and sign-in per"
                    + " visitor behind a proxy: put the portal's address here, since the portal forwards each"
                    + " person's address in `X-Forwarded-For`)");
    public static final Setting PUBLIC_ROUTER_URL =
            Setting.withDefault("PUBLIC_ROUTER_URL", "http://localhost:4701", "base of shareable links (`…/r/{slug}`)");
    public static final Setting PUBLIC_API_URL = Setting.computed(
            "PUBLIC_API_URL",
            "`http://localhost:$API_PORT` (portal: `http://localhost:4601`)",
            "the api's address as browsers and merchants reach it (the `servers` entry of `/openapi.json`)");

    public static final Setting PORTAL_URL = Setting.computed(
            "PORTAL_URL",
            "`http://localhost:$PORTAL_PORT` (api: `http://localhost:8080`)",
            "the portal's public address (links in mail, redirects after sign-in); the api builds invitation"
                    + " links from it");

    /** TRUSTED_PROXIES as CIDR blocks; a bad entry is a problem named with the others. */
    public static List<Cidr> trustedProxies(EnvReader env) {
        List<Cidr> trusted = new ArrayList<>();
        for (String entry : env.optional(TRUSTED_PROXIES).orElse("").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Cidr.parse(entry)
                    .ifPresentOrElse(
                            trusted::add,
                            () -> env.problem(
                                    "TRUSTED_PROXIES entry \"" + entry.trim() + "\" is not an address or CIDR block"));
        }
        return List.copyOf(trusted);
    }
}
