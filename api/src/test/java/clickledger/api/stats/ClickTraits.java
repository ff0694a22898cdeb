package clickledger.api.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Realistic values of the click dimensions for the stats benchmark's generated clicks (issue 19):
 * the shapes an affiliate program sees, so the rollup's sizes and the requests' costs are those of
 * production. Country: the United States ahead, a long tail of 60 countries, 3 % unknown. Device:
 * 55 % desktop, 38 % phone, 5 % tablet (bots are "bot"); browser and OS families in their usual
 * shares, OS by device class. Referrer: 35 % direct, else a Zipf tail over 2,000 domains (well past
 * the rollup's 100 a day). utm_source: half the clicks, 50 sources; utm_campaign: 40 %, 5,000
 * campaigns (Zipf), so the "other" bucket carries real weight.
 */
final class ClickTraits {
    private static final String[] COUNTRIES = {
        "US", "GB", "DE", "FR", "CA", "IN", "BR", "AU", "NL", "ES", "IT", "SE", "PL", "JP", "MX", "CH", "BE", "AT",
        "DK", "NO", "FI", "IE", "PT", "CZ", "RO", "HU", "GR", "TR", "IL", "AE", "SA", "ZA", "NG", "KE", "EG", "AR",
        "CL", "CO", "PE", "KR", "TW", "HK", "SG", "MY", "TH", "VN", "ID", "PH", "NZ", "UA", "RS", "HR", "SK", "SI",
        "BG", "LT", "LV", "EE", "IS", "LU"
    };
    private static final String[] NAMED_REFERRERS = {
        "google.com",
        "facebook.com",
        "t.co",
        "youtube.com",
        "reddit.com",
        "instagram.com",
        "linkedin.com",
        "news.ycombinator.com",
        "bing.com",
        "duckduckgo.com",
        "pinterest.com",
        "tiktok.com",
        "medium.com",
        "substack.com",
        "producthunt.com"
    };
    private static final String[] SOURCES_NAMED = {
        "newsletter", "twitter", "facebook", "youtube", "blog", "instagram", "linkedin", "reddit", "podcast", "email"
    };

    private final double[] countryCumulative = zipf(COUNTRIES.length, 1.2);
    private final double[] referrerCumulative = zipf(2_000, 1.0);
    private final double[] sourceCumulative = zipf(50, 1.0);
    private final double[] campaignCumulative = zipf(5_000, 0.9);

    /** The seven values of one click, COPY text ({@code \N} for none), tab-separated, no newline. */
    void append(StringBuilder line, SplittableRandom random, boolean bot) {
        String country = random.nextInt(100) < 3 ? null : COUNTRIES[pick(countryCumulative, random)];
        int d = random.nextInt(100);
        String device = bot ? "bot" : d < 55 ? "desktop" : d < 93 ? "phone" : d < 98 ? "tablet" : "other";
        int b = random.nextInt(100);
        String browser = b < 63
                ? "Chrome"
                : b < 83
                        ? "Safari"
                        : b < 88
                                ? "Edge"
                                : b < 92 ? "Firefox" : b < 96 ? "Samsung Internet" : b < 98 ? "Opera" : "Other";
        int o = random.nextInt(100);
        String os =
                switch (device) {
                    case "phone" -> o < 60 ? "Android" : "iOS";
                    case "tablet" -> o < 60 ? "iOS" : "Android";
                    case "desktop" -> o < 70 ? "Windows" : o < 92 ? "macOS" : o < 97 ? "Linux" : "ChromeOS";
                    default -> "Other";
                };
        String referrer = null;
        if (random.nextInt(100) >= 35) {
            int r = pick(referrerCumulative, random);
            referrer = r < NAMED_REFERRERS.length ? NAMED_REFERRERS[r] : "site-" + r + ".example";
        }
        String source = null;
        if (random.nextInt(2) == 0) {
            int s = pick(sourceCumulative, random);
            source = s < SOURCES_NAMED.length ? SOURCES_NAMED[s] : "source-" + s;
        }
        String campaign = random.nextInt(100) < 40 ? "campaign-" + pick(campaignCumulative, random) : null;
        for (String value : new String[] {country, device, browser, os, referrer, source, campaign}) {
            line.append('\t').append(value == null ? "\\N" : value);
        }
    }

    /** The COPY column list of {@link #append}'s values, in its order. */
    static final String COLUMNS = "country, device, browser, os, referrer_domain, utm_source, utm_campaign";

    private static double[] zipf(int n, double exponent) {
        double[] cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static int pick(double[] cumulative, SplittableRandom random) {
        int index = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(index < 0 ? -index - 1 : index, cumulative.length - 1);
    }
}
