package clickledger.router.link;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkSnapshotTest {
    private static final UUID PROGRAM = UUID.fromString("01890000-0000-7000-8000-000000000001");
    private static final UUID PARTNER = UUID.fromString("01890000-0000-7000-8000-000000000002");
    private static final UUID LINK = UUID.fromString("01890000-0000-7000-8000-000000000003");

    @TempDir
    Path directory;

    @Test
    void expiryExpiredUrlAndAllowedHostsSurviveARoundTrip() throws IOException {
        Destination program = Destination.parse("https://shop.example/home");
        LinkTarget expiring = new LinkTarget(
                LINK.getMostSignificantBits(),
                LINK.getLeastSignificantBits(),
                "ada",
                PROGRAM,
                PARTNER,
                Destination.parse("https://shop.example/deal"),
                program,
                true,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                3600,
                42,
                0,
                0,
                1_900_000_000_000L,
                Destination.parse("https://shop.example/ended"),
                DeepLinks.of("https://shop.example/home", "blog.shop.example"));
        UUID other = UUID.fromString("01890000-0000-7000-8000-000000000004");
        LinkTarget plain = new LinkTarget(
                other.getMostSignificantBits(),
                other.getLeastSignificantBits(),
                "bob",
                PROGRAM,
                PARTNER,
                program,
                program,
                false,
                0,
                1,
                60,
                7,
                0,
                0,
                Long.MAX_VALUE,
                null,
                DeepLinks.of("https://shop.example/home", null));
        LinkCache cache = new LinkCache();
        cache.put(expiring);
        cache.put(plain);
        LinkSnapshot.write(directory, "salt", cache, List.of());

        List<LinkTarget> read = new ArrayList<>();
        LinkSnapshot.Contents contents = LinkSnapshot.read(directory, read::add).orElseThrow();
        assertThat(contents.links()).isEqualTo(2);
        assertThat(contents.fingerprint()).isEqualTo(42 ^ 7);
        assertThat(read).containsExactlyInAnyOrder(expiring, plain);
    }

    /** A router upgraded past issue 19 starts from the snapshot its previous version wrote. */
    @Test
    void aVersionOneSnapshotStillLoadsWithoutExpiryOrExtraHosts() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(0x434c4c494e4b5331L); // "CLLINKS1"
        string(out, "the-salt");
        out.writeInt(1);
        string(out, "https://shop.example/home");
        out.writeInt(1);
        out.writeLong(LINK.getMostSignificantBits());
        out.writeLong(LINK.getLeastSignificantBits());
        string(out, "ada");
        out.writeLong(PROGRAM.getMostSignificantBits());
        out.writeLong(PROGRAM.getLeastSignificantBits());
        out.writeLong(PARTNER.getMostSignificantBits());
        out.writeLong(PARTNER.getLeastSignificantBits());
        out.writeInt(0);
        out.writeBoolean(true);
        string(out, "https://shop.example/deal");
        out.writeBoolean(true);
        out.writeLong(Long.MIN_VALUE);
        out.writeLong(Long.MAX_VALUE);
        out.writeInt(3600);
        out.writeLong(99);
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        Files.write(directory.resolve(LinkSnapshot.FILE), bytes.toByteArray());

        List<LinkTarget> read = new ArrayList<>();
        LinkSnapshot.Contents contents = LinkSnapshot.read(directory, read::add).orElseThrow();
        assertThat(contents.salt()).isEqualTo("the-salt");
        assertThat(read).hasSize(1);
        LinkTarget link = read.getFirst();
        assertThat(link.slug()).isEqualTo("ada");
        assertThat(link.destination().url()).isEqualTo("https://shop.example/deal");
        assertThat(link.rowHash()).isEqualTo(99);
        assertThat(link.expiresAtMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(link.expiredDestination()).isNull();
        assertThat(link.deepLinks()).isEqualTo(DeepLinks.of("https://shop.example/home", null));
        assertThat(link.deepLinks().resolve("/pricing").url()).isEqualTo("https://shop.example/pricing");
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
