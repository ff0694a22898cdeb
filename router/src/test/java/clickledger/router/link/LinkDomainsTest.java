package clickledger.router.link;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.router.domain.Domain;
import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link cache and its snapshot with custom domains: a slug is unique per domain (decision 0024). */
class LinkDomainsTest {
    private static final UUID PROGRAM = UUID.randomUUID();
    private static final UUID PARTNER = UUID.randomUUID();
    private static final UUID SHOP = UUID.randomUUID();
    private static final UUID OTHER = UUID.randomUUID();

    private static LinkTarget target(UUID domain, String slug, String url) {
        UUID id = UUID.randomUUID();
        Destination destination = Destination.parse(url);
        return new LinkTarget(
                id.getMostSignificantBits(),
                id.getLeastSignificantBits(),
                slug,
                PROGRAM,
                PARTNER,
                destination,
                destination,
                true,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                3600,
                id.getLeastSignificantBits() ^ url.hashCode(),
                domain == null ? 0 : domain.getMostSignificantBits(),
                domain == null ? 0 : domain.getLeastSignificantBits(),
                Long.MAX_VALUE,
                null,
                // As the router's repository and snapshot build it for a program without extra hosts.
                DeepLinks.of(url, null));
    }

    private static LinkTarget get(LinkCache cache, UUID domain, String slug) {
        return cache.get(domain.getMostSignificantBits(), domain.getLeastSignificantBits(), slug);
    }

    @Test
    void theSameSlugOnThreeDomainsIsThreeLinks() {
        LinkCache cache = new LinkCache();
        LinkTarget onDefault = target(null, "ada", "https://acme.example/default");
        LinkTarget onShop = target(SHOP, "ada", "https://shop.example/");
        LinkTarget onOther = target(OTHER, "ada", "https://other.example/");
        cache.put(onDefault);
        cache.put(onShop);
        cache.put(onOther);

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("ada")).isSameAs(onDefault);
        assertThat(get(cache, SHOP, "ada")).isSameAs(onShop);
        assertThat(get(cache, OTHER, "ada")).isSameAs(onOther);
        assertThat(get(cache, UUID.randomUUID(), "ada")).isNull();

        cache.removeLink(onShop.linkId());
        assertThat(get(cache, SHOP, "ada")).isNull();
        assertThat(cache.get("ada")).isSameAs(onDefault);
        assertThat(get(cache, OTHER, "ada")).isSameAs(onOther);
    }

    @Test
    void aLinkMovedToAnotherDomainLeavesTheOldOne() {
        LinkCache cache = new LinkCache();
        LinkTarget before = target(null, "bob", "https://acme.example/");
        cache.put(before);
        LinkTarget moved = new LinkTarget(
                before.linkIdHigh(),
                before.linkIdLow(),
                "bob",
                PROGRAM,
                PARTNER,
                before.destination(),
                before.programDestination(),
                true,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                3600,
                before.rowHash() + 1,
                SHOP.getMostSignificantBits(),
                SHOP.getLeastSignificantBits(),
                Long.MAX_VALUE,
                null,
                null);
        cache.put(moved);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("bob")).isNull();
        assertThat(get(cache, SHOP, "bob")).isSameAs(moved);
    }

    @Test
    void theSnapshotKeepsDomainsAndEachLinksDomain(@TempDir Path directory) throws IOException {
        LinkCache cache = new LinkCache();
        List<LinkTarget> links = List.of(
                target(null, "ada", "https://acme.example/"),
                target(SHOP, "ada", "https://shop.example/"),
                target(OTHER, "bob", "https://other.example/"));
        links.forEach(cache::put);
        List<Domain> domains = List.of(
                Domain.custom(SHOP, "go.shop.example", true, null),
                Domain.custom(OTHER, "links.other.example", false, "other.example"));

        LinkSnapshot.Contents written = LinkSnapshot.write(directory, "salt", cache, domains);
        LinkCache restored = new LinkCache();
        LinkSnapshot.Contents read = LinkSnapshot.read(directory, restored::put).orElseThrow();

        assertThat(read).isEqualTo(written);
        assertThat(read.domains()).isEqualTo(domains);
        assertThat(restored.fingerprint()).isEqualTo(cache.fingerprint());
        assertThat(get(restored, SHOP, "ada")).isEqualTo(links.get(1));
        assertThat(get(restored, OTHER, "bob")).isEqualTo(links.get(2));
        assertThat(restored.get("ada")).isEqualTo(links.get(0));
    }

    /** A router upgraded while PostgreSQL is down must still start from the old version's snapshot. */
    @Test
    void aSnapshotOfThePreviousFormatStillLoads(@TempDir Path directory) throws IOException {
        UUID linkId = UUID.randomUUID();
        Path file = directory.resolve(LinkSnapshot.FILE);
        // CLLINKS1, written here the way the previous version's LinkSnapshot.write did.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(0x434c4c494e4b5331L);
            string(out, "old-salt");
            out.writeInt(1);
            string(out, "https://acme.example/");
            out.writeInt(1);
            out.writeLong(linkId.getMostSignificantBits());
            out.writeLong(linkId.getLeastSignificantBits());
            string(out, "ada");
            out.writeLong(PROGRAM.getMostSignificantBits());
            out.writeLong(PROGRAM.getLeastSignificantBits());
            out.writeLong(PARTNER.getMostSignificantBits());
            out.writeLong(PARTNER.getLeastSignificantBits());
            out.writeInt(0);
            out.writeBoolean(false);
            out.writeBoolean(true);
            out.writeLong(Long.MIN_VALUE);
            out.writeLong(Long.MAX_VALUE);
            out.writeInt(3600);
            out.writeLong(42L);
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        long checksum = crc.getValue();
        Files.write(file, body);
        Files.write(
                file,
                new byte[] {(byte) (checksum >>> 24), (byte) (checksum >>> 16), (byte) (checksum >>> 8), (byte) checksum
                },
                StandardOpenOption.APPEND);

        List<LinkTarget> loaded = new ArrayList<>();
        LinkSnapshot.Contents contents =
                LinkSnapshot.read(directory, loaded::add).orElseThrow();

        assertThat(contents.salt()).isEqualTo("old-salt");
        assertThat(contents.links()).isEqualTo(1);
        assertThat(contents.fingerprint()).isEqualTo(42L);
        assertThat(contents.domains()).isEmpty();
        assertThat(loaded).singleElement().satisfies(link -> {
            assertThat(link.linkId()).isEqualTo(linkId);
            assertThat(link.slug()).isEqualTo("ada");
            assertThat(link.domainIdHigh()).isZero();
            assertThat(link.domainIdLow()).isZero();
            assertThat(link.destination().url()).isEqualTo("https://acme.example/");
        });
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] encoded = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(encoded.length);
        out.write(encoded);
    }
}
