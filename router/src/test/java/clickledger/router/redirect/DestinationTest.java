package clickledger.router.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationTest {
    private static final String CREF = "01JD3ZQ5W9X8Y7Z6A5B4C3D2E1";

    @ParameterizedTest(name = "{0} + ?{1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            textBlock =
                    """
            https://acme.example/signup                       | NULL                              | https://acme.example/signup?cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup?src=aff               | NULL                              | https://acme.example/signup?src=aff&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup?src=aff#plans         | NULL                              | https://acme.example/signup?src=aff&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1#plans
            https://acme.example/#/app?x=1                    | NULL                              | https://acme.example/?cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1#/app?x=1
            https://acme.example/signup?cref=OLD&src=aff      | NULL                              | https://acme.example/signup?src=aff&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup?src=aff               | utm_source=news&utm_medium=email  | https://acme.example/signup?src=aff&utm_source=news&utm_medium=email&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup?src=aff               | src=evil&ref=x                    | https://acme.example/signup?src=aff&ref=x&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | cref=SPOOFED&a=1                  | https://acme.example/signup?a=1&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | cr%65f=SPOOFED&a=1                | https://acme.example/signup?a=1&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | %63ref=SPOOFED&a=1                | https://acme.example/signup?a=1&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | %63%52%65%46=SPOOFED&a=1          | https://acme.example/signup?a=1&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | CREF=SPOOFED&Cref&a=1             | https://acme.example/signup?a=1&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | crefs=1&xcref=2&cre%66x=3&c%72e=4 | https://acme.example/signup?crefs=1&xcref=2&cre%66x=3&c%72e=4&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | cr%6=1&cr%zzf=2&cref%=3           | https://acme.example/signup?cr%256=1&cr%25zzf=2&cref%25=3&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup                       | a=1;cref=SPOOFED                  | https://acme.example/signup?a=1%3Bcref=SPOOFED&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/signup?CR%45F=OLD&src=aff    | NULL                              | https://acme.example/signup?src=aff&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s?q=caf%C3%A9&sp=a+b         | NULL                              | https://acme.example/s?q=caf%C3%A9&sp=a+b&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s                            | q=caf%C3%A9&n=a%20b               | https://acme.example/s?q=caf%C3%A9&n=a%20b&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s                            | q=a"b<c>&x=%zz                    | https://acme.example/s?q=a%22b%3Cc%3E&x=%25zz&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s                            | q=café                            | https://acme.example/s?q=caf%C3%A9&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s                            | &&flag&=x                         | https://acme.example/s?flag&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example/s?                           | NULL                              | https://acme.example/s?cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1
            https://acme.example:8443/p/a%2Fb?x=1#top         | y=2                               | https://acme.example:8443/p/a%2Fb?x=1&y=2&cref=01JD3ZQ5W9X8Y7Z6A5B4C3D2E1#top
            """)
    void buildsLocation(String destination, String inbound, String expected) {
        assertThat(Destination.parse(destination).location(inbound, CREF)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} without cref -> {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            https://acme.example/signup?src=aff&cref=OLD | https://acme.example/signup?src=aff
            https://acme.example/                        | https://acme.example/
            https://acme.example/#x                      | https://acme.example/#x
            """)
    void inactiveRedirectCarriesNoCref(String destination, String expected) {
        assertThat(Destination.parse(destination).location(null, null)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void readsUtmFromDestinationWhenRequestHasNone() {
        Destination destination = Destination.parse("https://acme.example/?utm_source=partner%20site&utm_medium=aff");
        assertThat(Utm.of(null, destination)).isEqualTo(new Utm("partner site", "aff", null, null, null));
        assertThat(Utm.of("utm_source=news", destination)).isEqualTo(new Utm("news", "aff", null, null, null));
    }
}
