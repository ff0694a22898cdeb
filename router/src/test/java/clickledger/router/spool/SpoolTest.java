package clickledger.router.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.router.click.Click;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path directory;

    private final PrometheusMeterRegistry registry = Metrics.newRegistry("router");

    static Click click(int n) {
        long now = System.currentTimeMillis();
        UUID id = Ulid.newUuidV7(now);
        return new Click(
                id,
                now,
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                n % 3 == 0 ? null : new byte[] {1, 2, 3, (byte) n},
                "Mozilla/5.0 ☃ 😀 " + n,
                n % 2 == 0 ? null : "https://blog.example/post?n=" + n,
                "https://acme.example/?cref=" + Ulid.encode(id),
                "DE",
                "news",
                null,
                "spring",
                "",
                "x".repeat(n),
                n % 2 == 0,
                n % 2 == 0 ? "http_client:curl" : null,
                n % 5 == 0 ? "velocity" : null,
                n % 4 == 0 ? null : "phone",
                "Chrome",
                "Android",
                n % 2 == 0 ? null : "blog.example");
    }

    static List<Click> clicks(int count) {
        List<Click> clicks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clicks.add(click(i));
        }
        return clicks;
    }

    private List<Click> readAll(Spool spool) throws Exception {
        List<Click> read = new ArrayList<>();
        for (Spool.Segment segment = spool.oldestSealed(); segment != null; segment = spool.oldestSealed()) {
            spool.read(segment, 7, read::addAll);
            spool.delete(segment);
        }
        return read;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> Spool.sequenceOf(file) >= 0).sorted().toList();
        }
    }

    private double tornCount() {
        return registry.get("clickledger_spool_torn_records_total").counter().count();
    }

    /** A record as routers before issue 19 spooled it: format version 1, eleven texts. */
    private static byte[] versionOneRecord(Click click) {
        List<byte[]> texts = new ArrayList<>();
        for (String text : new String[] {
            click.userAgent(), click.referer(), click.landingUrl(), click.country(), click.utmSource(),
            click.utmMedium(), click.utmCampaign(), click.utmTerm(), click.utmContent(), click.botReason(),
            click.fraudFlag()
        }) {
            texts.add(text == null ? null : text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        ByteBuffer payload = ByteBuffer.allocate(4096);
        payload.put((byte) 1).put((byte) (click.isBot() ? 1 : 0));
        for (UUID id : new UUID[] {click.id()}) {
            payload.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        }
        payload.putLong(click.epochMillis());
        for (UUID id : new UUID[] {click.linkId(), click.programId(), click.partnerId()}) {
            payload.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        }
        if (click.ipHash() == null) {
            payload.putShort((short) -1);
        } else {
            payload.putShort((short) click.ipHash().length).put(click.ipHash());
        }
        for (byte[] text : texts) {
            if (text == null) {
                payload.putInt(-1);
            } else {
                payload.putInt(text.length).put(text);
            }
        }
        byte[] bytes = java.util.Arrays.copyOf(payload.array(), payload.position());
        return ByteBuffer.allocate(8 + bytes.length)
                .putInt(bytes.length)
                .putInt(ClickRecords.crc(bytes))
                .put(bytes)
                .array();
    }

    @Test
    void aSegmentSpooledBeforeTheUpgradeStillReplays() throws Exception {
        List<Click> old = clicks(6);
        Path segment = directory.resolve(String.format("%s%020d%s", Spool.SEGMENT_PREFIX, 1, Spool.SEGMENT_SUFFIX));
        try (var out = Files.newOutputStream(segment)) {
            out.write(Spool.MAGIC);
            for (Click click : old) {
                out.write(versionOneRecord(click));
            }
        }
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(6);
            // And a new click after the upgrade, in the new format, next to them.
            Click fresh = click(7);
            spool.append(List.of(fresh));
            spool.sealActive();
            List<Click> read = readAll(spool);
            assertThat(read).hasSize(7);
            for (int i = 0; i < old.size(); i++) {
                Click expected = old.get(i);
                assertThat(read.get(i))
                        .usingRecursiveComparison()
                        .ignoringFields("device", "browser", "os", "referrerDomain")
                        .isEqualTo(expected);
                assertThat(read.get(i).device()).isNull();
                assertThat(read.get(i).referrerDomain()).isNull();
            }
            assertThat(read.get(6)).usingRecursiveComparison().isEqualTo(fresh);
            assertThat(tornCount()).isZero();
        }
    }

    @Test
    void appendedClicksReadBackFieldForField() throws Exception {
        List<Click> written = clicks(25);
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(written.subList(0, 10));
            spool.append(written.subList(10, 25));
            assertThat(spool.records()).isEqualTo(25);
            assertThat(spool.bytes()).isPositive();
            spool.sealActive();
            assertThat(readAll(spool))
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(written);
            assertThat(spool.records()).isZero();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void clicksSurviveAReopenAndAreNeverAppendedToAgain() throws Exception {
        List<Click> first = clicks(5);
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(first);
        }
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(5);
            spool.append(clicks(3));
            assertThat(segments()).as("a reopened spool starts a new segment").hasSize(2);
            spool.sealActive();
            assertThat(readAll(spool)).hasSize(8);
        }
    }

    @Test
    void tornLastRecordIsSkippedAndTheRecordsBeforeItAreKept() throws Exception {
        List<Click> written = clicks(4);
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(written);
        }
        Path segment = segments().getFirst();
        long whole = Files.size(segment);
        // A crash in the middle of the next append: a header promising 300 bytes, and 40 of them.
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(48).putInt(300).putInt(12345);
            channel.write(torn.position(0));
        }
        assertThat(Files.size(segment)).isGreaterThan(whole);
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(4);
            assertThat(tornCount()).isEqualTo(1);
            assertThat(readAll(spool))
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(written);
        }
    }

    @Test
    void recordWithABadChecksumIsNeverReplayedAsGarbage() throws Exception {
        List<Click> written = clicks(3);
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(written);
        }
        Path segment = segments().getFirst();
        // Flip a byte inside the last record's payload: its length is intact, its content is not.
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = channel.size() - 5;
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x5A)}), at);
        }
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(2);
            assertThat(tornCount()).isEqualTo(1);
            assertThat(readAll(spool))
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(written.subList(0, 2));
        }
    }

    @Test
    void headerCutShortOrLengthOutOfRangeEndsTheSegment() throws Exception {
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(clicks(2));
        }
        Path segment = segments().getFirst();
        Files.write(segment, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(2);
        }
        Path second = segments().getFirst();
        Files.write(second, new byte[] {(byte) 0x7F, 0, 0, 0, 0, 0, 0, 0, 9, 9}, StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(directory, registry)) {
            assertThat(spool.records()).isEqualTo(2);
            assertThat(readAll(spool)).hasSize(2);
        }
    }

    @Test
    void segmentStaysUntilItsClicksAreTaken() throws Exception {
        try (Spool spool = Spool.open(directory, registry)) {
            spool.append(clicks(10));
            spool.sealActive();
            Spool.Segment segment = spool.oldestSealed();
            assertThatThrownBy(() -> spool.read(segment, 4, chunk -> {
                        throw new IllegalStateException("PostgreSQL is down");
                    }))
                    .hasMessageContaining("PostgreSQL is down");
            assertThat(spool.oldestSealed()).isSameAs(segment);
            assertThat(spool.records()).isEqualTo(10);
            assertThat(Files.exists(segment.path())).isTrue();
        }
    }

    @Test
    void secondOpenerOfTheSameDirectoryIsRefused() throws Exception {
        try (Spool first = Spool.open(directory, registry)) {
            assertThat(first.directory()).isEqualTo(directory);
            assertThatThrownBy(() -> Spool.open(directory, Metrics.newRegistry("router")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("another process");
        }
    }

    @Test
    void unwritableDirectoryFailsTheAppendAndTheProbeUntilItIsBack() throws Exception {
        Path spoolDirectory = directory.resolve("spool");
        try (Spool spool = Spool.open(spoolDirectory, registry)) {
            // Even root cannot create files under a path that is a plain file.
            deleteRecursively(spoolDirectory);
            Files.writeString(spoolDirectory, "not a directory");
            assertThatThrownBy(() -> spool.append(clicks(1))).isInstanceOf(IOException.class);
            assertThat(spool.writable()).isFalse();
            assertThat(spool.probe()).isFalse();
            assertThat(spool.records()).isZero();

            Files.delete(spoolDirectory);
            Files.createDirectory(spoolDirectory);
            assertThat(spool.probe()).isTrue();
            spool.append(clicks(2));
            assertThat(spool.records()).isEqualTo(2);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        }
    }
}
