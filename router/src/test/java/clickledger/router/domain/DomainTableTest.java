package clickledger.router.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DomainTableTest {
    private static final Domain DEFAULT = Domain.defaultHost(".acme.example");
    private static final Domain SHOP = Domain.custom(UUID.randomUUID(), "go.shop.example", true, null);
    private static final Domain OTHER = Domain.custom(UUID.randomUUID(), "links.other.example", false, "other.example");
    private static final DomainTable TABLE =
            DomainTable.of(DEFAULT, List.of("r.acme.example", "Alias.Acme.Example"), List.of(SHOP, OTHER));

    @Test
    void customDomainsMatchWhateverTheCasePortOrTrailingDot() {
        for (String host : List.of(
                "go.shop.example",
                "GO.SHOP.EXAMPLE",
                "go.shop.example:4701",
                "go.shop.example.",
                "Go.Shop.Example.:443")) {
            assertThat(TABLE.route(host)).as(host).isSameAs(SHOP);
        }
        assertThat(TABLE.route("links.other.example")).isSameAs(OTHER);
    }

    @Test
    void theDefaultHostCoversItsNamesAddressesAndLocalhost() {
        for (String host : List.of(
                "r.acme.example",
                "alias.acme.example:80",
                "localhost",
                "LOCALHOST:4701",
                "127.0.0.1:4701",
                "10.0.0.7",
                "[::1]:4701",
                "")) {
            assertThat(TABLE.route(host)).as(host).isSameAs(DEFAULT);
        }
        assertThat(TABLE.route(null)).isSameAs(DEFAULT);
    }

    @Test
    void anythingElseIsUnknown() {
        for (String host : List.of(
                "evil.example",
                "shop.example",
                "go.shop.example.evil",
                "xgo.shop.example",
                "go.shop.exampl",
                "localhost.evil",
                ":80",
                ".",
                "a".repeat(300))) {
            assertThat(TABLE.route(host)).as(host).isNull();
        }
    }

    @Test
    void askKnowsDomainsAndNamedDefaultHostsOnly() {
        assertThat(TABLE.known("go.shop.example")).isTrue();
        assertThat(TABLE.known("Go.Shop.Example.")).isTrue();
        assertThat(TABLE.known("r.acme.example")).isTrue();
        for (String name :
                new String[] {null, "", ".", "localhost", "127.0.0.1", "evil.example", "go.shop.example:443"}) {
            assertThat(TABLE.known(name)).as(String.valueOf(name)).isFalse();
        }
    }

    @Test
    void aLoopbackRouterUrlStillNeverAnswersTheAsk() {
        DomainTable table = DomainTable.of(DEFAULT, List.of("localhost", "127.0.0.1"), List.of());

        assertThat(table.known("localhost")).isFalse();
        assertThat(table.known("127.0.0.1")).isFalse();
        assertThat(table.route("localhost:4701")).isSameAs(DEFAULT);
    }

    @Test
    void manyDomainsAllStayReachable() {
        List<Domain> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(Domain.custom(UUID.randomUUID(), "d" + i + ".example", i % 2 == 0, null));
        }
        DomainTable table = DomainTable.of(DEFAULT, List.of(), many);
        for (Domain domain : many) {
            assertThat(table.route(domain.hostname().toUpperCase(Locale.ROOT))).isSameAs(domain);
        }
        assertThat(table.fingerprint())
                .isEqualTo(DomainTable.of(DEFAULT, List.of(), many.reversed()).fingerprint());
    }
}
