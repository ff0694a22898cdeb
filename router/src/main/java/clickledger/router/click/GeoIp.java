package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import com.maxmind.db.CHMCache;
import com.maxmind.db.ClosedDatabaseException;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Country by IP address from a MaxMind-format database (GEOIP_DB_PATH: GeoLite2-Country or -City,
 * DB-IP Lite, the CC0 ip-location-db country files), read with MaxMind's reader. Used only when no
 * trusted CDN header named the country ({@link ClientResolver}).
 *
 * <p>The file is checked every GEOIP_CHECK_SECONDS (one stat) and, when it changed, opened anew
 * and swapped in atomically, so a weekly geoipupdate needs no restart. A file that does not open
 * (absent, half-written, not a database) leaves the current one in use and is tried again at the
 * next check. The old reader is closed a grace period after the swap, once the lookups that
 * started on it are long done; a lookup that still meets a closed reader retries on the new one.
 *
 * <p>The database is read into the heap ({@link Reader.FileMode#MEMORY}), not memory-mapped: a
 * mapped file that someone overwrites in place (cp instead of a rename) faults the reading thread.
 * The country databases are 5-10 MB; a City database costs its 60-70 MB (docs/operations.md).
 *
 * <p>Per lookup, with caches cleared with each database: an address is answered from the
 * narrowest of its blocks that lies inside one network of the database, filled by the lookups' own
 * answers: for IPv4 a table of all 65,536 /16s (84 % of the IPv4 space of a country database is in
 * networks of /16 or wider), then a direct-mapped table of /24s (a country database's networks are
 * almost never narrower); for IPv6 direct-mapped tables of /32s (a registry's allocation to an ISP)
 * and /48s; any other address from a direct-mapped cache of recent addresses. A miss walks the
 * tree: on the redirect the walks of the few thousand visitors a second that missed the /16 and
 * /32 tables were still 5 % of the capture router's CPU (JFR, decision 0022), about 10 µs each with
 * the record's decoding. No table allocates on an IPv4 hit (an IPv6 one copies the address's 16
 * bytes). The address lives only in these bounded memory caches and never reaches the database.
 */
public final class GeoIp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GeoIp.class);

    // 4,096 recent addresses; two in one slot evict each other, and a miss costs one tree walk.
    private static final int CACHE_SLOTS = 1 << 12;
    // The country of each IPv4 /16 that one network of the database covers whole; NO_COUNTRY when
    // that network has none. 65,536 references, filled as lookups find such networks.
    private static final int V4_BLOCKS = 1 << 16;
    private static final int BLOCK_PREFIX = 16;
    // IPv4 /24s, IPv6 /32s and /48s that one network covers whole: direct-mapped tables of 65,536
    // slots each (two blocks in one slot evict each other; an IPv6 database has millions of /32s).
    private static final int V4_NARROW_PREFIX = 24;
    private static final int V6_BLOCK_PREFIX = 32;
    private static final int V6_NARROW_PREFIX = 48;
    private static final String NO_COUNTRY = "";
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    /** The parts of a record the router reads; any other field of the database is skipped. */
    public record Found(
            @MaxMindDbParameter(name = "country") Place country,
            @MaxMindDbParameter(name = "registered_country") Place registeredCountry,
            @MaxMindDbParameter(name = "country_code") String countryCode) {}

    /** A GeoIP2 country or registered_country object. */
    public record Place(@MaxMindDbParameter(name = "iso_code") String isoCode) {}

    private record Stamp(long modifiedMillis, long size, Object fileKey) {}

    private record Remembered(InetAddress address, String country) {}

    /** The country (or NO_COUNTRY) of the block whose address bits, above its prefix, are {@code bits}. */
    private record Block(long bits, String country) {}

    /** Blocks of one prefix length that one network covers whole, direct-mapped by their bits. */
    private static final class BlockTable {
        private static final int SLOT_BITS = 16;
        private final AtomicReferenceArray<Block> slots = new AtomicReferenceArray<>(1 << SLOT_BITS);

        // Neighbouring blocks share their top bits; a multiplicative mix spreads them over the slots.
        private static int slot(long bits) {
            return (int) ((bits * 0x9E3779B97F4A7C15L) >>> (Long.SIZE - SLOT_BITS));
        }

        /** The block's country, NO_COUNTRY, or null when the table does not hold the block. */
        String get(long bits) {
            Block block = slots.get(slot(bits));
            return block != null && block.bits() == bits ? block.country() : null;
        }

        void put(long bits, String country) {
            slots.set(slot(bits), new Block(bits, country));
        }
    }

    private record Database(
            Reader reader,
            Stamp stamp,
            boolean ipv4Only,
            AtomicReferenceArray<Remembered> recent,
            AtomicReferenceArray<String> v4Blocks,
            BlockTable v4Narrow,
            BlockTable v6Blocks,
            BlockTable v6Narrow) {}

    /** A lookup's country and the prefix length of the database's network that holds the address. */
    private record Answer(String country, int prefixLength) {}

    private final Path file;
    private final Duration interval;
    private final Counter loads;
    private final Counter failures;
    // Lookups the address cache did not answer (tree walks), counted on the miss path only.
    private final LongAdder treeLookups = new LongAdder();
    private final Thread watcher;
    private volatile Database current;
    private volatile Stamp lastFailed;
    private volatile boolean closed;
    // The watcher and a test (or a second caller) never load the same change twice.
    private final ReentrantLock checking = new ReentrantLock();

    private GeoIp(Path file, Duration interval, MeterRegistry registry) {
        this.file = file;
        this.interval = interval;
        this.loads = Counter.builder("clickledger_geoip_loads_total")
                .tag("outcome", "loaded")
                .register(registry);
        this.failures = Counter.builder("clickledger_geoip_loads_total")
                .tag("outcome", "failed")
                .register(registry);
        FunctionCounter.builder("clickledger_geoip_cache_misses", treeLookups, LongAdder::sum)
                .description("GeoIP lookups the address cache did not answer: each one walked the database's tree")
                .register(registry);
        this.watcher = file == null
                ? null
                : Thread.ofPlatform().name("geoip-watch").daemon().unstarted(this::watch);
    }

    /** No database: every lookup answers null. */
    public static GeoIp off(MeterRegistry registry) {
        return new GeoIp(null, Duration.ZERO, registry);
    }

    /** Loads {@code file} now if it is there, then checks it for changes every {@code interval}. */
    public static GeoIp watching(Path file, Duration interval, MeterRegistry registry) {
        GeoIp geoIp =
                new GeoIp(requireNonNull(file, "file is null"), requireNonNull(interval, "interval is null"), registry);
        geoIp.check();
        geoIp.watcher.start();
        return geoIp;
    }

    /** The ISO 3166-1 alpha-2 code, upper case, or null (no database, private address, not found). */
    public String country(InetAddress address) {
        Database database = current;
        if (database == null || address == null || !routable(address)) {
            return null;
        }
        // Inet4Address's hash code is its address: the /16 is its top 16 bits, with no allocation.
        boolean v4 = address instanceof Inet4Address;
        int block = v4 ? address.hashCode() >>> BLOCK_PREFIX : -1;
        long wide;
        long narrow;
        if (v4) {
            String blockCountry = database.v4Blocks().get(block);
            if (blockCountry != null) {
                return blockCountry.isEmpty() ? null : blockCountry;
            }
            wide = -1;
            narrow = Integer.toUnsignedLong(address.hashCode()) >>> (Integer.SIZE - V4_NARROW_PREFIX);
            String narrowCountry = database.v4Narrow().get(narrow);
            if (narrowCountry != null) {
                return narrowCountry.isEmpty() ? null : narrowCountry;
            }
        } else if (database.ipv4Only()) {
            return null;
        } else {
            byte[] bytes = address.getAddress();
            long top = 0;
            for (int i = 0; i < V6_NARROW_PREFIX / Byte.SIZE; i++) {
                top = top << Byte.SIZE | (bytes[i] & 0xff);
            }
            narrow = top;
            wide = top >>> (V6_NARROW_PREFIX - V6_BLOCK_PREFIX);
            String wideCountry = database.v6Blocks().get(wide);
            if (wideCountry == null) {
                wideCountry = database.v6Narrow().get(narrow);
            }
            if (wideCountry != null) {
                return wideCountry.isEmpty() ? null : wideCountry;
            }
        }
        AtomicReferenceArray<Remembered> recent = database.recent();
        int slot = address.hashCode() & (CACHE_SLOTS - 1);
        Remembered known = recent.get(slot);
        if (known != null && known.address().equals(address)) {
            return known.country();
        }
        Answer answer;
        treeLookups.increment();
        try {
            answer = lookup(database, address);
        } catch (ClosedDatabaseException e) {
            Database replacement = current;
            if (replacement == database || replacement == null) {
                return null;
            }
            return country(address);
        }
        String country = answer.country();
        String remembered = country == null ? NO_COUNTRY : country;
        int prefix = answer.prefixLength();
        if (v4 && prefix <= BLOCK_PREFIX) {
            database.v4Blocks().set(block, remembered);
        } else if (v4 && prefix <= V4_NARROW_PREFIX) {
            database.v4Narrow().put(narrow, remembered);
        } else if (!v4 && prefix <= V6_BLOCK_PREFIX) {
            database.v6Blocks().put(wide, remembered);
        } else if (!v4 && prefix <= V6_NARROW_PREFIX) {
            database.v6Narrow().put(narrow, remembered);
        } else {
            recent.set(slot, new Remembered(address, country));
        }
        return country;
    }

    private static Answer lookup(Database database, InetAddress address) throws ClosedDatabaseException {
        if (database.ipv4Only() && !(address instanceof Inet4Address)) {
            return new Answer(null, Integer.MAX_VALUE);
        }
        try {
            // The network's prefix length is the address family's own (an IPv4 address in an IPv6
            // database gets an IPv4 prefix), so it says whether the address's /16 is covered whole.
            DatabaseRecord<Found> record = database.reader().getRecord(address, Found.class);
            int prefixLength = record.network() == null
                    ? Integer.MAX_VALUE
                    : record.network().prefixLength();
            Found found = record.data();
            if (found == null) {
                return new Answer(null, prefixLength);
            }
            String code = found.country() != null ? found.country().isoCode() : null;
            if (code == null) {
                code = found.countryCode();
            }
            if (code == null && found.registeredCountry() != null) {
                code = found.registeredCountry().isoCode();
            }
            return new Answer(ClientResolver.countryCode(code), prefixLength);
        } catch (ClosedDatabaseException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // A damaged record answers "unknown" for this address rather than failing the click,
            // and is not remembered for its block.
            return new Answer(null, Integer.MAX_VALUE);
        }
    }

    // Loopback, private, link-local and unspecified addresses are in no country's database.
    private static boolean routable(InetAddress address) {
        return !(address.isLoopbackAddress()
                || address.isSiteLocalAddress()
                || address.isLinkLocalAddress()
                || address.isAnyLocalAddress());
    }

    /** Lookups the address cache did not answer so far (each walked the tree). */
    long cacheMisses() {
        return treeLookups.sum();
    }

    /** "off" (no GEOIP_DB_PATH), "loaded", or "missing" (set, but no usable file yet); for /readyz. */
    public String status() {
        if (file == null) {
            return "off";
        }
        return current == null ? "missing" : "loaded";
    }

    /** When the loaded database was built (its metadata), or null. */
    public Instant builtAt() {
        Database database = current;
        return database == null
                ? null
                : Instant.ofEpochSecond(
                        database.reader().getMetadata().buildEpoch().longValue());
    }

    /** One check of the file: loads it when it changed since the database in use. */
    void check() {
        checking.lock();
        try {
            checkLocked();
        } finally {
            checking.unlock();
        }
    }

    private void checkLocked() {
        Stamp stamp;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            stamp = new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size(), attributes.fileKey());
        } catch (NoSuchFileException e) {
            if (lastFailed == null) {
                LOG.atWarn()
                        .addKeyValue("path", file.toString())
                        .log(
                                "GEOIP_DB_PATH does not exist (yet); countries come only from trusted CDN headers until it does");
                lastFailed = new Stamp(-1, -1, null);
            }
            return;
        } catch (IOException e) {
            LOG.atWarn()
                    .addKeyValue("path", file.toString())
                    .addKeyValue("error", e.toString())
                    .log("cannot stat the GeoIP database");
            return;
        }
        Database old = current;
        if ((old != null && old.stamp().equals(stamp)) || stamp.equals(lastFailed)) {
            return;
        }
        Reader reader;
        try {
            reader = new Reader(file.toFile(), Reader.FileMode.MEMORY, new CHMCache());
            // A file cut short opens but breaks on the first lookup: try one before trusting it.
            reader.get(InetAddress.getByAddress(new byte[] {1, 1, 1, 1}), Found.class);
        } catch (IOException | RuntimeException e) {
            failures.increment();
            lastFailed = stamp;
            LOG.atWarn()
                    .addKeyValue("path", file.toString())
                    .addKeyValue("error", e.toString())
                    .log(
                            old == null
                                    ? "the GeoIP database cannot be read; countries come only from trusted CDN headers"
                                    : "the changed GeoIP database cannot be read; keeping the one loaded before");
            return;
        }
        boolean ipv4Only = reader.getMetadata().ipVersion() == 4;
        current = new Database(
                reader,
                stamp,
                ipv4Only,
                new AtomicReferenceArray<>(CACHE_SLOTS),
                new AtomicReferenceArray<>(V4_BLOCKS),
                new BlockTable(),
                new BlockTable(),
                new BlockTable());
        lastFailed = null;
        loads.increment();
        LOG.atInfo()
                .addKeyValue("path", file.toString())
                .addKeyValue("type", reader.getMetadata().databaseType())
                .addKeyValue("builtAt", String.valueOf(builtAt()))
                .log(old == null ? "GeoIP database loaded" : "GeoIP database changed on disk; reloaded");
        if (old != null) {
            retire(old);
        }
    }

    // Lookups that read `current` before the swap finish in microseconds; the grace is generous.
    private void retire(Database old) {
        Thread.ofVirtual().name("geoip-retire").start(() -> {
            try {
                Thread.sleep(CLOSE_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(old.reader());
        });
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                check();
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("error", e.toString()).log("GeoIP database check failed");
            }
        }
    }

    private static void closeQuietly(Reader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("error", e.toString()).log("closing a GeoIP reader failed");
        }
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        Database database = current;
        current = null;
        if (database != null) {
            closeQuietly(database.reader());
        }
    }

    @Override
    public String toString() {
        Database database = current;
        return "GeoIp[" + Objects.toString(file, "off") + ", " + status()
                + (database == null
                        ? ""
                        : ", " + database.reader().getMetadata().databaseType()) + "]";
    }
}
