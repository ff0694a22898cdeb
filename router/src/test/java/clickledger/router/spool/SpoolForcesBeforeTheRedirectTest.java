package clickledger.router.spool;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.router.RouterConfig;
import clickledger.router.click.Click;
import clickledger.router.click.ClickWriter;
import clickledger.router.click.PostgresCopyClickSink;
import clickledger.testkit.PostgresFixture;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drills that kill the router (kill -9) or stop PostgreSQL immediately never test fsync: the
 * kernel's page cache survives both, so a spool that skipped fdatasync would pass them. This test
 * watches the spool's own file channel instead: every batch the writer answers from the spool is
 * forced to disk (one {@code force(false)}, i.e. fdatasync, per batch) after its bytes are written
 * and before any visitor of the batch is answered.
 */
class SpoolForcesBeforeTheRedirectTest {
    @TempDir
    Path directory;

    /**
     * A segment channel that logs "write" and "force" in the order they happen, each with the
     * thread that did it, then delegates. Appends are serialized, but a writer and the watchdog
     * may both be spooling: what matters is what the answering thread did last.
     */
    static final class WatchedChannel extends FileChannel {
        private final FileChannel delegate;
        private final List<String> events;

        WatchedChannel(FileChannel delegate, List<String> events) {
            this.delegate = delegate;
            this.events = events;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            events.add(Thread.currentThread().getName() + ":write");
            return delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            events.add(Thread.currentThread().getName() + ":write");
            return delegate.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            delegate.force(metaData);
            events.add(Thread.currentThread().getName() + (metaData ? ":force(metadata)" : ":force"));
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            events.add(Thread.currentThread().getName() + ":write");
            return delegate.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }

    @Test
    void everySpooledBatchIsForcedToDiskBeforeItsVisitorsAreAnswered() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        PrometheusMeterRegistry registry = Metrics.newRegistry("router");
        Map<String, String> env =
                new HashMap<>(PostgresFixture.databaseEnv(PostgresFixture.get().newDatabase()));
        RouterConfig config = RouterConfig.fromEnv(env);
        try (Database database = Database.connect("router", config.database(), registry, config.poolLimits());
                Spool spool = Spool.open(
                        directory, registry, path -> new WatchedChannel(Spool.openSegmentChannel(path), events))) {
            ClickWriter writer = new ClickWriter(
                    new PostgresCopyClickSink(database.pool()), spool, Duration.ofMillis(250), 1, 1_000, 50, registry);
            try {
                // As after a failed or slow batch: every batch goes to the spool.
                writer.markDatabaseDown("test");
                int batches = 0;
                for (int round = 0; round < 5; round++) {
                    List<CompletableFuture<List<String>>> answered = new ArrayList<>();
                    for (Click click : SpoolTest.clicks(20)) {
                        CompletableFuture<List<String>> seen = new CompletableFuture<>();
                        // What the answering thread had done to the spool's channel when this
                        // visitor's 302 would have left.
                        assertThat(writer.submit(click, new ClickWriter.Completion() {
                                    @Override
                                    public void durable() {
                                        String self = Thread.currentThread().getName() + ":";
                                        seen.complete(events.stream()
                                                .filter(event -> event.startsWith(self))
                                                .map(event -> event.substring(self.length()))
                                                .toList());
                                    }

                                    @Override
                                    public void failed(Throwable cause) {
                                        seen.completeExceptionally(cause);
                                    }
                                }))
                                .isTrue();
                        answered.add(seen);
                    }
                    for (CompletableFuture<List<String>> seen : answered) {
                        List<String> before = seen.get(10, TimeUnit.SECONDS);
                        assertThat(before)
                                .as("bytes written, then forced, before the answer")
                                .endsWith("write", "force");
                    }
                    batches = (int) registry.get("clickledger_spool_append_seconds")
                            .timer()
                            .count();
                }
                long forces = events.stream()
                        .filter(event -> event.endsWith(":force"))
                        .count();
                assertThat(forces).as("one fdatasync per spooled batch").isEqualTo(batches);
                assertThat(batches).isPositive();
            } finally {
                writer.close();
            }
        }
    }
}
