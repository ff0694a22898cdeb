package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.config.ConfigException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortalConfigTest {
    @Test
    void defaultsMatchTheOtherServicesDefaultPorts() {
        PortalConfig config = PortalConfig.fromEnv(Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.publicApiUrl()).isEqualTo(URI.create("http://localhost:4601"));
        assertThat(config.publicRouterUrl()).isEqualTo(URI.create("http://localhost:4701"));
        assertThat(config.portalUrl()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(config.apiUrl()).isEqualTo(config.publicApiUrl());
    }

    @Test
    void internalApiUrlIsSeparateFromThePublicOne() {
        PortalConfig config = PortalConfig.fromEnv(Map.of(
                "PUBLIC_API_URL", "https://api.example.com/",
                "API_URL", "http://api:4601",
                "PORTAL_PORT", "9090"));
        assertThat(config.publicApiUrl()).isEqualTo(URI.create("https://api.example.com"));
        assertThat(config.apiUrl()).isEqualTo(URI.create("http://api:4601"));
        assertThat(config.portalUrl()).isEqualTo(URI.create("http://localhost:9090"));
    }

    @Test
    void reportsEveryProblemInOneMessage() {
        assertThatThrownBy(() -> PortalConfig.fromEnv(Map.of(
                        "PORTAL_PORT", "eighty",
                        "PUBLIC_API_URL", "ftp://files.example.com",
                        "PUBLIC_ROUTER_URL", "http://go.example.com/?x=1",
                        "PORTAL_URL", "not a url")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid configuration: PORTAL_PORT \"eighty\" is not a port; "
                        + "PUBLIC_API_URL \"ftp://files.example.com\" is not an absolute http(s) URL without query or fragment; "
                        + "PUBLIC_ROUTER_URL \"http://go.example.com/?x=1\" is not an absolute http(s) URL without query or fragment; "
                        + "PORTAL_URL \"not a url\" is not an absolute http(s) URL without query or fragment");
    }
}
