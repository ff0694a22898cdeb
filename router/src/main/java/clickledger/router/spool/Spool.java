package clickledger.router.spool;

import static java.util.Objects.requireNonNull;

import clickledger.router.click.Click;
import clickledger.router.click.ClickSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local, crash-safe home of clicks that PostgreSQL could not take in time
 * (docs/decisions/0005-click-spool.md). A directory of append-only segment files; each append
 * writes a whole batch of checksummed records and fsyncs once before it returns, so a batch's
 * 302s may leave as soon as {@link #append} does. Segments are only appended to by the process
 * that created them: after a restart every existing segment is sealed, and a torn record at the
 * end of one (a crash mid-append) stays the last thing in it, where the reader stops.
 *
 * <p>A sealed segment is replayed into PostgreSQL by {@link SpoolReplayer} and deleted only after
 * its clicks committed; a crash in between replays it again, which {@code on conflict do nothing}
 * makes harmless.
 */
public final class Spool implements ClickSink, AutoCloseable {
    static final String SEGMENT_PREFIX = "clicks-";
    static final String SEGMENT_SUFFIX = ".spool";
    static final byte[] MAGIC = "CLSPOOL1".getBytes(StandardCharsets.US_ASCII);
    // Big enough that an outage of minutes at full load makes tens of files, not thousands; small
    // enough that one replayed segment is a bounded amount of work between deletions.
    static final long SEGMENT_TARGET_BYTES = 32L * 1024 * 1024;
    private static final String LOCK_FILE = "spool.lock";
    private static final String PROBE_FILE = "probe.tmp";
    // The probe writes about what a large batch appends, so a nearly full disk shows as unwritable.
    private static final int PROBE_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    /** A segment file and what it holds; sizes of the active segment change under the append lock. */
    public static final class Segment {
        private final Path path;
        private final long sequence;
        private volatile long records;
        private volatile long bytes;

        Segment(Path path, long sequence, long records, long bytes) {
            this.path = path;
            this.sequence = sequence;
            this.records = records;
            this.bytes = bytes;
        }

        public Path path() {
            return path;
        }

        public long sequence() {
            return sequence;
        }

        public long records() {
            return records;
        }

        @Override
        public String toString() {
            return path.getFileName().toString();
        }
    }

    /** Opens a new segment file for appending; tests wrap the channel to watch writes and forces. */
    interface SegmentOpener {
        FileChannel open(Path path) throws IOException;
    }

    private static final SegmentOpener CREATE_NEW = Spool::openSegmentChannel;

    static FileChannel openSegmentChannel(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private final Path directory;
    private final SegmentOpener opener;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ConcurrentLinkedDeque<Segment> sealed = new ConcurrentLinkedDeque<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Counter appended;
    private final Counter appendFailures;
    private final Counter tornRecords;
    private final Timer appendLatency;
    // Guarded by appendLock.
    private Segment active;
    private FileChannel activeChannel;
    private long nextSequence;
    private ByteBuffer encodeBuffer = ByteBuffer.allocate(256 * 1024);
    private volatile boolean writable = true;

    private Spool(
            Path directory, SegmentOpener opener, FileChannel lockChannel, FileLock lock, MeterRegistry registry) {
        this.directory = directory;
        this.opener = opener;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.appended = Counter.builder("clickledger_clicks_spooled_total")
                .description("clicks made durable in the local spool instead of PostgreSQL")
                .register(registry);
        this.appendFailures = Counter.builder("clickledger_spool_append_failures_total")
                .description("batches the spool could not make durable (disk full, unwritable)")
                .register(registry);
        this.tornRecords = Counter.builder("clickledger_spool_torn_records_total")
                .description("damaged records found at the end of a segment and skipped")
                .register(registry);
        this.appendLatency = Timer.builder("clickledger_spool_append_seconds")
                .description("time to write and fsync one batch into the spool")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        registry.gauge("clickledger_spool_records", records, AtomicLong::get);
        registry.gauge("clickledger_spool_bytes", bytes, AtomicLong::get);
        registry.gauge("clickledger_spool_writable", this, spool -> spool.writable ? 1 : 0);
    }

    /**
     * Opens (creating when needed) the spool in {@code directory}, takes its lock so no second
     * router shares it, and lists what a previous process left, checking every record.
     *
     * @throws IOException when the directory cannot be made or read, or another process holds it
     */
    public static Spool open(Path directory, MeterRegistry registry) throws IOException {
        return open(directory, registry, CREATE_NEW);
    }

    static Spool open(Path directory, MeterRegistry registry, SegmentOpener opener) throws IOException {
        requireNonNull(directory, "directory is null");
        Files.createDirectories(directory);
        FileChannel lockChannel =
                FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM: another router in the same process
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("another process is using the spool in " + directory);
        }
        Spool spool = new Spool(directory, opener, lockChannel, lock, registry);
        try {
            spool.recover();
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        return spool;
    }

    private void recover() throws IOException {
        Files.deleteIfExists(directory.resolve(PROBE_FILE));
        List<Segment> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
            for (Path file : files) {
                long sequence = sequenceOf(file);
                if (sequence >= 0) {
                    found.add(new Segment(file, sequence, 0, 0));
                }
            }
        }
        found.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        for (Segment segment : found) {
            SegmentReader.Result result = SegmentReader.count(segment.path);
            if (result.tornBytes() > 0) {
                tornRecords.increment();
                LOG.atWarn()
                        .addKeyValue("segment", segment)
                        .addKeyValue("offset", result.validBytes())
                        .addKeyValue("skippedBytes", result.tornBytes())
                        .addKeyValue("reason", result.tornReason())
                        .log("torn spool record skipped; it was never acknowledged");
            }
            segment.records = result.records();
            segment.bytes = Files.size(segment.path);
            if (segment.records == 0) {
                Files.deleteIfExists(segment.path);
                continue;
            }
            sealed.add(segment);
            records.addAndGet(segment.records);
            bytes.addAndGet(segment.bytes);
            nextSequence = Math.max(nextSequence, segment.sequence + 1);
        }
        if (records.get() > 0) {
            LOG.atInfo()
                    .addKeyValue("segments", sealed.size())
                    .addKeyValue("clicks", records.get())
                    .log("spool holds clicks from an earlier run; replaying them");
        }
    }

    static long sequenceOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(SEGMENT_PREFIX) || !name.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Writes every click of the batch and fsyncs before returning: when this returns, the batch
     * survives a crash of the process or the machine. On failure nothing of the batch may be
     * treated as durable (a partial write is cut off again when the file system lets us).
     */
    public void append(List<Click> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        appendLock.lock();
        try {
            ByteBuffer buffer = encodeBuffer.clear();
            for (Click click : batch) {
                buffer = ClickRecords.append(buffer, click);
            }
            encodeBuffer = buffer;
            buffer.flip();
            Segment segment = activeSegment();
            long before = segment.bytes;
            try {
                long position = before;
                while (buffer.hasRemaining()) {
                    position += activeChannel.write(buffer, position);
                }
                activeChannel.force(false);
            } catch (IOException | RuntimeException e) {
                discardTail(segment, before);
                throw e;
            }
            segment.bytes = before + buffer.limit();
            segment.records += batch.size();
            records.addAndGet(batch.size());
            bytes.addAndGet(buffer.limit());
            if (segment.bytes >= SEGMENT_TARGET_BYTES) {
                sealActiveLocked();
            }
            writable = true;
        } catch (IOException | RuntimeException e) {
            writable = false;
            appendFailures.increment();
            throw e;
        } finally {
            appendLock.unlock();
        }
        appended.increment(batch.size());
        appendLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    // A half-written batch must not sit in front of later records, where it would hide them from
    // the reader: cut it off, and never append to this segment again.
    private void discardTail(Segment segment, long validBytes) {
        try {
            activeChannel.truncate(validBytes);
            activeChannel.force(false);
        } catch (IOException | RuntimeException ignored) {
            // The reader stops at the damage; what precedes it is still replayed.
        }
        try {
            sealActiveLocked();
        } catch (IOException ignored) {
            // The channel is closed or gone either way; the segment is sealed.
        }
    }

    private Segment activeSegment() throws IOException {
        if (active != null) {
            return active;
        }
        long sequence = nextSequence++;
        Path path = directory.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, sequence, SEGMENT_SUFFIX));
        FileChannel channel = opener.open(path);
        try {
            ByteBuffer header = ByteBuffer.wrap(MAGIC);
            while (header.hasRemaining()) {
                channel.write(header);
            }
            channel.force(true);
            // The new file's name must be durable too, or a crash could lose the whole segment.
            forceDirectory();
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
        active = new Segment(path, sequence, 0, MAGIC.length);
        activeChannel = channel;
        bytes.addAndGet(MAGIC.length);
        return active;
    }

    private void forceDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Closes the segment being appended to, so it can be replayed; later appends start a new one. */
    public void sealActive() throws IOException {
        appendLock.lock();
        try {
            sealActiveLocked();
        } finally {
            appendLock.unlock();
        }
    }

    private void sealActiveLocked() throws IOException {
        Segment segment = active;
        if (segment == null) {
            return;
        }
        active = null;
        FileChannel channel = activeChannel;
        activeChannel = null;
        try {
            channel.close();
        } finally {
            if (segment.records == 0) {
                bytes.addAndGet(-segment.bytes);
                Files.deleteIfExists(segment.path);
            } else {
                sealed.add(segment);
            }
        }
    }

    /** The oldest sealed segment, or null. */
    public Segment oldestSealed() {
        return sealed.peekFirst();
    }

    /** True when the segment being appended to holds clicks. */
    public boolean activeHasRecords() {
        Segment segment = active;
        return segment != null && segment.records > 0;
    }

    /**
     * Reads a sealed segment in chunks of at most {@code chunkSize} clicks, in order. Stops at the
     * first damaged record (only the tail can be torn, and it was never acknowledged).
     */
    public long read(Segment segment, int chunkSize, SegmentReader.ChunkSink sink) throws Exception {
        return SegmentReader.read(segment.path, chunkSize, sink).records();
    }

    /** Deletes a sealed segment once every click in it is committed to PostgreSQL. */
    public void delete(Segment segment) throws IOException {
        if (!sealed.remove(segment)) {
            return;
        }
        Files.deleteIfExists(segment.path);
        records.addAndGet(-segment.records);
        bytes.addAndGet(-segment.bytes);
    }

    /** The spool as the writer's fallback: {@link #append}. */
    @Override
    public void write(List<Click> batch) throws IOException {
        append(batch);
    }

    /** True while the last append (or probe) succeeded. */
    @Override
    public boolean ping() {
        return writable;
    }

    /** Clicks held, in sealed and active segments. */
    public long records() {
        return records.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public Path directory() {
        return directory;
    }

    /** False after an append failed, until {@link #probe} or an append succeeds again. */
    public boolean writable() {
        return writable;
    }

    /** Writes, fsyncs and deletes a scratch file to learn whether the spool could take a batch now. */
    public boolean probe() {
        Path probe = directory.resolve(PROBE_FILE);
        try (FileChannel channel = FileChannel.open(
                probe, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(PROBE_BYTES);
            while (zeros.hasRemaining()) {
                channel.write(zeros);
            }
            channel.force(false);
            writable = true;
        } catch (IOException | RuntimeException e) {
            writable = false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // an unwritable directory may refuse the delete too; the next start removes it
            }
        }
        return writable;
    }

    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (activeChannel != null) {
                activeChannel.close();
                activeChannel = null;
            }
        } finally {
            appendLock.unlock();
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
        }
    }
}
