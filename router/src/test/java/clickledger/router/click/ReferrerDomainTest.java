package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferrerDomainTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            textBlock =
                    """
            https://www.google.com/                                  | google.com
            https://WWW.Blog.Example:8443/post?id=1                  | blog.example
            http://news.ycombinator.com/item?id=1                    | news.ycombinator.com
            https://t.co                                             | t.co
            https://m.facebook.com?x=1                               | m.facebook.com
            https://l.instagram.com#frag                             | l.instagram.com
            https://user:secret@shop.example/path                    | shop.example
            https://example.com./                                    | example.com
            https://www2.example.com/                                | www2.example.com
            https://[2001:db8::1]:8080/                              | [2001:db8::1]
            HTTPS://EXAMPLE.ORG                                      | example.org
            https://xn--bcher-kva.example/                           | xn--bcher-kva.example
            android-app://com.google.android.gm/                     | NULL
            about:blank                                              | NULL
            /relative/path                                           | NULL
            https://                                                 | NULL
            https:///nohost                                          | NULL
            https://bad host.example/                                | NULL
            https://<script>/                                        | NULL
            https://bücher.example/                                  | NULL
            https://[2001:db8::1/                                    | NULL
            NULL                                                     | NULL
            """)
    void isTheLowerCaseHostWithoutWww(String referer, String domain) {
        assertThat(ReferrerDomain.of(referer)).isEqualTo(domain);
    }

    @ParameterizedTest
    @CsvSource({"254", "4000"})
    void aHostLongerThanDnsAllowsIsNotAHost(int length) {
        assertThat(ReferrerDomain.of("https://" + "a".repeat(length) + "/")).isNull();
        assertThat(ReferrerDomain.of("https://" + "a".repeat(253) + "/")).hasSize(253);
    }
}
