package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoIpTest {
    @TempDir
    Path directory;

    private final PrometheusMeterRegistry registry = Metrics.newRegistry("router");

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /** GB for 81.2.69.0/24 in GeoLite2's shape, DE for 2a02:2e0::/32 and SE for 89.160.20.0/24 in ip-location-db's. */
    static MmdbWriter testDatabase(String ukCountry) throws Exception {
        return new MmdbWriter("GeoLite2-Country")
                .geoLite("81.2.69.0/24", ukCountry)
                .flat("89.160.20.0/24", "SE")
                .flat("2a02:2e0::/32", "DE");
    }

    /** Writes a new version of the database the way geoipupdate does: a temporary file, then a rename. */
    private static void replace(Path file, MmdbWriter database, int secondsLater) throws Exception {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        database.write(temporary);
        Files.setLastModifiedTime(temporary, FileTime.from(Instant.now().plusSeconds(secondsLater)));
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void looksCountriesUpInBothRecordShapesAndBothAddressFamilies() throws Exception {
        Path file = directory.resolve("country.mmdb");
        testDatabase("GB").write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            assertThat(geoIp.status()).isEqualTo("loaded");
            assertThat(geoIp.builtAt()).isEqualTo(Instant.ofEpochSecond(MmdbWriter.BUILD_EPOCH));
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("GB");
            assertThat(geoIp.cacheMisses()).isEqualTo(1);
            assertThat(geoIp.country(ip("81.2.69.142")))
                    .as("a repeat, from the cache")
                    .isEqualTo("GB");
            assertThat(geoIp.cacheMisses()).as("a cache hit walks no tree").isEqualTo(1);
            assertThat(registry.scrape())
                    .as("the name make bench's capture scenario reads")
                    .contains("clickledger_geoip_cache_misses_total{service=\"router\"} 1.0");
            assertThat(geoIp.country(ip("89.160.20.112"))).isEqualTo("SE");
            assertThat(geoIp.country(ip("2a02:2e0:3fe:1001::1"))).isEqualTo("DE");
            assertThat(geoIp.country(ip("8.8.8.8"))).as("not in the database").isNull();
            assertThat(geoIp.country(ip("127.0.0.1"))).isNull();
            assertThat(geoIp.country(ip("10.1.2.3"))).isNull();
            assertThat(geoIp.country(ip("::1"))).isNull();
            assertThat(geoIp.country(null)).isNull();
            assertThat(geoIp.cacheMisses())
                    .as("private, loopback and null addresses are not looked up")
                    .isEqualTo(4);
        }
    }

    /**
     * An IPv4 /16 inside one network of the database is answered for every address in it after one
     * tree walk; a /16 split between networks is not (each address walks or hits its own slot).
     */
    @Test
    void aSixteenInsideOneNetworkIsAnsweredWithoutWalkingTheTreeAgain() throws Exception {
        Path file = directory.resolve("blocks.mmdb");
        new MmdbWriter("ip-location-db country")
                .flat("81.0.0.0/12", "GB")
                .flat("89.160.20.0/24", "SE")
                .flat("93.184.216.0/25", "US")
                .write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("GB");
            assertThat(geoIp.cacheMisses()).isEqualTo(1);
            assertThat(geoIp.country(ip("81.2.1.1")))
                    .as("same /16, another address")
                    .isEqualTo("GB");
            assertThat(geoIp.cacheMisses()).as("answered by its /16").isEqualTo(1);
            assertThat(geoIp.country(ip("81.3.0.1")))
                    .as("another /16 of the /12")
                    .isEqualTo("GB");
            assertThat(geoIp.cacheMisses()).isEqualTo(2);

            assertThat(geoIp.country(ip("89.160.20.112"))).isEqualTo("SE");
            assertThat(geoIp.country(ip("89.160.21.5")))
                    .as("same /16, outside the /24: not SE")
                    .isNull();
            assertThat(geoIp.cacheMisses())
                    .as("a /24 is never taken for its /16")
                    .isEqualTo(4);
            assertThat(geoIp.country(ip("89.160.20.7")))
                    .as("same /24 as a looked-up address")
                    .isEqualTo("SE");
            assertThat(geoIp.cacheMisses()).as("answered by its /24").isEqualTo(4);
            assertThat(geoIp.country(ip("93.184.216.10"))).isEqualTo("US");
            assertThat(geoIp.country(ip("93.184.216.200")))
                    .as("same /24, outside the /25: not US")
                    .isNull();
            assertThat(geoIp.cacheMisses())
                    .as("a /25 is never taken for its /24")
                    .isEqualTo(6);

            assertThat(geoIp.country(ip("8.8.8.8"))).isNull();
            long walks = geoIp.cacheMisses();
            assertThat(geoIp.country(ip("8.8.4.4")))
                    .as("a /16 inside an empty network")
                    .isNull();
            assertThat(geoIp.cacheMisses()).isEqualTo(walks);
        }
    }

    /**
     * The IPv6 counterpart: a /32 inside one network is answered for every address in it after one
     * tree walk; a /48 is never taken for its /32.
     */
    @Test
    void anIpv6ThirtyTwoInsideOneNetworkIsAnsweredWithoutWalkingTheTreeAgain() throws Exception {
        Path file = directory.resolve("v6blocks.mmdb");
        new MmdbWriter("ip-location-db country")
                .flat("2a02:2e0::/32", "DE")
                .flat("2a03:4000::/20", "NL")
                .flat("2a05:1:2::/48", "FR")
                .write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            assertThat(geoIp.country(ip("2a02:2e0:3fe:1001::1"))).isEqualTo("DE");
            assertThat(geoIp.cacheMisses()).isEqualTo(1);
            assertThat(geoIp.country(ip("2a02:2e0:ffff:1::77")))
                    .as("same /32, another address")
                    .isEqualTo("DE");
            assertThat(geoIp.country(ip("2a03:4abc::9"))).isEqualTo("NL");
            assertThat(geoIp.country(ip("2a03:4abc:1::9"))).as("a /32 of a /20").isEqualTo("NL");
            assertThat(geoIp.cacheMisses()).as("answered by their /32s").isEqualTo(2);

            assertThat(geoIp.country(ip("2a05:1:2:3::1"))).isEqualTo("FR");
            assertThat(geoIp.country(ip("2a05:1:9::1")))
                    .as("same /32, outside the /48: not FR")
                    .isNull();
            assertThat(geoIp.cacheMisses())
                    .as("a /48 is never taken for its /32")
                    .isEqualTo(4);
            assertThat(geoIp.country(ip("2a05:1:2:ffff::9")))
                    .as("same /48 as a looked-up address")
                    .isEqualTo("FR");
            assertThat(geoIp.cacheMisses()).as("answered by its /48").isEqualTo(4);

            assertThat(geoIp.country(ip("2c0f:1234::1"))).isNull();
            long walks = geoIp.cacheMisses();
            assertThat(geoIp.country(ip("2c0f:1234:5678::1")))
                    .as("a /32 inside an empty network")
                    .isNull();
            assertThat(geoIp.cacheMisses()).isEqualTo(walks);
        }
    }

    @Test
    void aChangedFileIsLoadedWithoutARestartAndABrokenOneKeepsTheOldDatabase() throws Exception {
        Path file = directory.resolve("country.mmdb");
        testDatabase("GB").write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("GB");

            replace(file, testDatabase("FR"), 10);
            geoIp.check();
            assertThat(geoIp.country(ip("81.2.69.142")))
                    .as("the old answer is not cached across databases")
                    .isEqualTo("FR");

            // Half a file, written in place: it does not open, and the database before it stays.
            byte[] whole = testDatabase("IT").bytes();
            Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(20)));
            geoIp.check();
            assertThat(geoIp.status()).isEqualTo("loaded");
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("FR");
            assertThat(registry.get("clickledger_geoip_loads_total")
                            .tag("outcome", "failed")
                            .counter()
                            .count())
                    .isEqualTo(1);

            replace(file, testDatabase("IT"), 30);
            geoIp.check();
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("IT");
        }
    }

    @Test
    void theWatcherNoticesTheChangeByItself() throws Exception {
        Path file = directory.resolve("country.mmdb");
        testDatabase("GB").write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofMillis(50), registry)) {
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("GB");
            replace(file, testDatabase("NL"), 10);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!"NL".equals(geoIp.country(ip("81.2.69.142"))) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("NL");
        }
    }

    @Test
    void aFileThatAppearsLaterIsPickedUp() throws Exception {
        Path file = directory.resolve("later.mmdb");
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            assertThat(geoIp.status()).isEqualTo("missing");
            assertThat(geoIp.country(ip("81.2.69.142"))).isNull();
            testDatabase("GB").write(file);
            geoIp.check();
            assertThat(geoIp.status()).isEqualTo("loaded");
            assertThat(geoIp.country(ip("81.2.69.142"))).isEqualTo("GB");
        }
    }

    @Test
    void lookupsDuringReloadsAlwaysAnswerFromOneDatabaseOrTheOther() throws Exception {
        Path file = directory.resolve("country.mmdb");
        testDatabase("GB").write(file);
        try (GeoIp geoIp = GeoIp.watching(file, Duration.ofHours(1), registry)) {
            AtomicBoolean running = new AtomicBoolean(true);
            Set<String> answers = ConcurrentHashMap.newKeySet();
            List<Throwable> errors = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            // Many addresses, so lookups miss the cache and walk the tree while it is swapped.
            for (int t = 0; t < 2; t++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; running.get(); i = (i + 1) & 0xFF) {
                            answers.add(String.valueOf(
                                    geoIp.country(InetAddress.getByAddress(new byte[] {81, 2, 69, (byte) i}))));
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (int version = 1; version <= 20; version++) {
                replace(file, testDatabase(version % 2 == 0 ? "GB" : "FR"), version * 10);
                geoIp.check();
            }
            running.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(errors).isEmpty();
            assertThat(answers).isSubsetOf("GB", "FR");
            assertThat(registry.get("clickledger_geoip_loads_total")
                            .tag("outcome", "loaded")
                            .counter()
                            .count())
                    .isEqualTo(21);
        }
    }

    @Test
    void withoutADatabaseEveryAnswerIsUnknown() throws Exception {
        try (GeoIp geoIp = GeoIp.off(registry)) {
            assertThat(geoIp.status()).isEqualTo("off");
            assertThat(geoIp.country(ip("81.2.69.142"))).isNull();
        }
    }
}
