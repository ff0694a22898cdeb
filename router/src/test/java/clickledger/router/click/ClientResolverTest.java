package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import clickledger.common.net.Cidr;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientResolverTest {
    private static InetAddress ip(String literal) {
        return Cidr.IpLiteral.parse(literal).orElseThrow();
    }

    private static final List<Cidr> TRUSTED =
            List.of(Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("::1").orElseThrow());

    private final ClientResolver resolver = new ClientResolver(TRUSTED, GeoIp.off(Metrics.newRegistry("router")));

    @TempDir
    Path directory;

    @Test
    void forwardedHeadersAreIgnoredFromUntrustedPeers() {
        var client = resolver.resolve(ip("203.0.113.9"), false, List.of("1.2.3.4"), "https", "DE");
        assertThat(client.address()).isEqualTo(ip("203.0.113.9"));
        assertThat(client.secure()).isFalse();
        assertThat(client.country()).isNull();
    }

    @Test
    void trustedProxyForwardsTheNearestUntrustedHop() {
        var client = resolver.resolve(ip("10.1.2.3"), false, List.of("6.6.6.6, 198.51.100.7, 10.9.9.9"), "https", "de");
        assertThat(client.address()).isEqualTo(ip("198.51.100.7"));
        assertThat(client.secure()).isTrue();
        assertThat(client.country()).isEqualTo("DE");
    }

    @Test
    void severalForwardedForLinesAreOneListReadFromTheRight() {
        // HAProxy and some CDNs add a line of their own; the client's line comes first.
        assertThat(resolver.resolve(ip("10.1.2.3"), false, List.of("6.6.6.6", "198.51.100.7"), null, null)
                        .address())
                .isEqualTo(ip("198.51.100.7"));
        assertThat(resolver.resolve(ip("10.1.2.3"), false, List.of("6.6.6.6", "198.51.100.7, 10.9.9.9"), null, null)
                        .address())
                .isEqualTo(ip("198.51.100.7"));
        assertThat(resolver.resolve(
                                ip("10.1.2.3"),
                                false,
                                List.of("6.6.6.6, 198.51.100.7", "10.9.9.9, 10.8.8.8"),
                                null,
                                null)
                        .address())
                .as("trusted hops on the last line are skipped, then the list goes on into the line before")
                .isEqualTo(ip("198.51.100.7"));
        assertThat(resolver.resolve(ip("10.1.2.3"), false, List.of("198.51.100.7", ""), null, null)
                        .address())
                .isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void oneStringPerCountryCode() {
        assertThat(ClientResolver.countryCode("de")).isEqualTo("DE").isSameAs(ClientResolver.countryCode("DE"));
        assertThat(ClientResolver.countryCode(new String("Gb"))).isSameAs(ClientResolver.countryCode("gB"));
        assertThat(ClientResolver.countryCode("ZZ")).isEqualTo("ZZ");
        assertThat(ClientResolver.countryCode("xx")).isNull();
        assertThat(ClientResolver.countryCode("D1")).isNull();
        assertThat(ClientResolver.countryCode("DEU")).isNull();
    }

    @Test
    void garbageInForwardedForNeverResolvesNames() {
        var client = resolver.resolve(ip("10.1.2.3"), false, List.of("evil.example.com"), null, "X1Y");
        assertThat(client.address()).isEqualTo(ip("10.1.2.3"));
        assertThat(client.country()).isNull();
    }

    @Test
    void theCountryComesFromATrustedCdnHeaderElseFromGeoIp() throws Exception {
        Path file = directory.resolve("country.mmdb");
        GeoIpTest.testDatabase("GB").write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), Metrics.newRegistry("router"))) {
            ClientResolver withGeoIp = new ClientResolver(TRUSTED, geoIp);
            assertThat(withGeoIp
                            .resolve(ip("10.1.2.3"), false, List.of("81.2.69.142"), null, "DE")
                            .country())
                    .as("the trusted proxy's header wins")
                    .isEqualTo("DE");
            assertThat(withGeoIp
                            .resolve(ip("10.1.2.3"), false, List.of("81.2.69.142"), null, null)
                            .country())
                    .as("no header: the forwarded client's address is looked up")
                    .isEqualTo("GB");
            assertThat(withGeoIp
                            .resolve(ip("10.1.2.3"), false, List.of("81.2.69.142"), null, "XX")
                            .country())
                    .as("Cloudflare's XX means unknown")
                    .isEqualTo("GB");
            assertThat(withGeoIp
                            .resolve(ip("81.2.69.142"), false, List.of("89.160.20.112"), null, "DE")
                            .country())
                    .as("an untrusted peer: its own address, never its headers")
                    .isEqualTo("GB");
            assertThat(withGeoIp
                            .resolve(ip("89.160.20.112"), false, HttpFields.build())
                            .country())
                    .isEqualTo("SE");
        }
    }

    @Test
    void parsesCidrBlocks() {
        assertThat(Cidr.parse("192.168.0.0/16").orElseThrow().contains(ip("192.168.44.1")))
                .isTrue();
        assertThat(Cidr.parse("192.168.0.0/16").orElseThrow().contains(ip("192.169.0.1")))
                .isFalse();
        assertThat(Cidr.parse("172.16.0.0/12").orElseThrow().contains(ip("172.31.255.255")))
                .isTrue();
        assertThat(Cidr.parse("172.16.0.0/12").orElseThrow().contains(ip("172.32.0.0")))
                .isFalse();
        assertThat(Cidr.parse("2001:db8::/32").orElseThrow().contains(ip("2001:db8::1")))
                .isTrue();
        assertThat(Cidr.parse("nope")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
        assertThat(Cidr.parse("256.1.1.1")).isEmpty();
        assertThat(Cidr.parse("localhost")).isEmpty();
    }
}
