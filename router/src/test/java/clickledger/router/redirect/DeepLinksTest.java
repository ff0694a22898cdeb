package clickledger.router.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeepLinksTest {
    private static final DeepLinks SHOP =
            DeepLinks.of("https://shop.example/landing?ref=1", "blog.shop.example help.shop.example:8443");

    private static String resolved(String raw) {
        Destination destination = SHOP.resolve(raw);
        return destination == null ? null : destination.location(null, "CREF");
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void aPathGoesToTheProgramsHostWithItsQueryAndTheCref() {
        assertThat(resolved("/pricing")).isEqualTo("https://shop.example/pricing?cref=CREF");
        assertThat(resolved(encoded("/pricing?plan=pro#faq")))
                .isEqualTo("https://shop.example/pricing?plan=pro&cref=CREF#faq");
    }

    @Test
    void anAbsoluteUrlOnTheProgramsOrAnAllowedHostIsFollowed() {
        assertThat(resolved(encoded("https://shop.example/a"))).isEqualTo("https://shop.example/a?cref=CREF");
        assertThat(resolved(encoded("HTTPS://Blog.Shop.Example/post?x=1")))
                .isEqualTo("https://blog.shop.example/post?x=1&cref=CREF");
        assertThat(resolved(encoded("https://help.shop.example:8443")))
                .isEqualTo("https://help.shop.example:8443/?cref=CREF");
        assertThat(resolved(encoded("https://shop.example?x=1"))).isEqualTo("https://shop.example/?x=1&cref=CREF");
    }

    @Test
    void whatLooksLikeAHostAfterTheAllowedOneStaysAPathOnIt() {
        // The authority ends at the first '/', so the '@' part is a path on shop.example.
        assertThat(resolved("https%3A%2F%2Fshop.example%2F%40evil.example"))
                .isEqualTo("https://shop.example/@evil.example?cref=CREF");
        assertThat(resolved(encoded("https://shop.example#@evil.example")))
                .isEqualTo("https://shop.example/?cref=CREF#@evil.example");
        // Twice encoded: decoded once, "%2F" stays an escaped character inside a path.
        assertThat(resolved("/%252F%252Fevil.example")).isEqualTo("https://shop.example/%2F%2Fevil.example?cref=CREF");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "//evil.example",
                "%2F%2Fevil.example",
                "/\\evil.example",
                "%2F%5Cevil.example",
                "\\\\evil",
                "%5C%5Cevil",
                "https:evil.example",
                "https:%2F%2Fevil.example",
                "https://evil.example",
                "https%3A%2F%2Fevil.example%2Fpricing",
                "http://evil.example",
                "https://shop.example@evil.example",
                "https%3A%2F%2Fshop.example%40evil.example",
                "https://shop.example:443@evil.example/",
                "https://shop.example.evil.example/",
                "https://evil.example%2Fshop.example",
                "https://shop.example:8080/",
                "https://blog.shop.example./",
                "javascript:alert(1)",
                "data:text/html,x",
                "evil.example",
                "ftp://shop.example/",
                "%252F%252Fevil.example",
                "/pric%09ing",
                "%2F%0D%0ALocation:%20https://evil.example",
                "/%0Aevil",
                "/a%20b",
                "/a+b",
                "https://evil%E3%80%82example",
                "https://shop%E3%80%82example/",
                "https://shop.example%EF%BC%8Eevil.example/",
                "/caf%C3%A9",
                "%",
                "%zz",
                "/\"><script>",
                ""
            })
    void hostileOrForeignValuesAreRefused(String raw) {
        assertThat(SHOP.resolve(raw)).as(raw).isNull();
    }

    @Test
    void veryLongValuesAreRefused() {
        String longPath = "/" + "a".repeat(DeepLinks.MAX_LENGTH);
        assertThat(SHOP.resolve(longPath)).isNull();
        assertThat(SHOP.resolve("%2F" + "%61".repeat(DeepLinks.MAX_LENGTH * 2))).isNull();
        assertThat(SHOP.resolve("/" + "a".repeat(DeepLinks.MAX_LENGTH - 1))).isNotNull();
    }

    @Test
    void withoutAllowedHostsOnlyTheProgramsHostIsAllowed() {
        DeepLinks plain = DeepLinks.of("http://shop.example:8080", null);
        assertThat(plain.resolve("/x").location(null, null)).isEqualTo("http://shop.example:8080/x");
        assertThat(plain.resolve(encoded("http://shop.example:8080/y"))).isNotNull();
        assertThat(plain.resolve(encoded("https://blog.shop.example/"))).isNull();
        assertThat(plain.allowedHosts()).isNull();
        assertThat(SHOP.allowedHosts()).isEqualTo("blog.shop.example help.shop.example:8443");
    }

    @Test
    void theParameterIsTheFirstToOfTheQuery() {
        assertThat(DeepLinks.parameter(null)).isNull();
        assertThat(DeepLinks.parameter("utm_source=x")).isNull();
        assertThat(DeepLinks.parameter("tomato=1&xto=2")).isNull();
        assertThat(DeepLinks.parameter("a=1&to=%2Fp&to=%2Fq")).isEqualTo("%2Fp");
        assertThat(DeepLinks.parameter("to=")).isEqualTo("");
    }

    @Test
    void equalProgramsShareEqualDeepLinks() {
        assertThat(DeepLinks.of("https://shop.example/a", "x.example"))
                .isEqualTo(DeepLinks.of("https://shop.example/b", "x.example"))
                .hasSameHashCodeAs(DeepLinks.of("https://shop.example/b", "x.example"))
                .isNotEqualTo(DeepLinks.of("https://shop.example/a", null));
    }
}
