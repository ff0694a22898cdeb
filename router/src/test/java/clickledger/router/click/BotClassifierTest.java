package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BotClassifierTest {
    private final BotClassifier classifier = new BotClassifier();

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            textBlock =
                    """
            HEAD | Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36                       | head_request
            GET  | NULL                                                                                       | no_user_agent
            GET  | Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)                                 | link_preview:slack
            GET  | facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)                  | link_preview:facebook
            GET  | Twitterbot/1.0                                                                             | link_preview:twitter
            GET  | LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)      | link_preview:linkedin
            GET  | Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)                          | link_preview:discord
            GET  | WhatsApp/2.23.20.0 A                                                                       | link_preview:whatsapp
            GET  | TelegramBot (like TwitterBot)                                                              | link_preview:telegram
            GET  | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36  | headless:chrome
            GET  | Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)                     | uptime:uptimerobot
            GET  | Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)                                      | uptime:pingdom
            GET  | Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)                   | crawler:google
            GET  | Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)                    | crawler:bing
            GET  | Mozilla/5.0 zgrab/0.x                                                                      | scanner:zgrab
            GET  | curl/8.5.0                                                                                 | http_client:curl
            GET  | python-requests/2.31.0                                                                     | http_client:python
            GET  | Mozilla/5.0 (compatible; SomeNewBot/1.0)                                                   | crawler:other
            """)
    void classifiesSoftware(String method, String userAgent, String reason) {
        assertThat(classifier.classify(method, userAgent)).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36
            Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1
            Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0
            """)
    void peopleAreNotBots(String userAgent) {
        assertThat(classifier.classify("GET", userAgent)).isNull();
    }

    @Test
    void aRepeatedAgentGetsTheSameVerdictAsTheFirstTime() {
        String person = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        String bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        for (int i = 0; i < 3; i++) {
            assertThat(classifier.classify("GET", person)).isNull();
            assertThat(classifier.classify("GET", bot)).isEqualTo("crawler:google");
            assertThat(classifier.classify("HEAD", person)).isEqualTo("head_request");
        }
        String longBot = "x".repeat(600) + " curl/8.0";
        assertThat(classifier.classify("GET", longBot)).isEqualTo("http_client:curl");
        assertThat(classifier.classify("GET", longBot)).isEqualTo("http_client:curl");
    }
}
