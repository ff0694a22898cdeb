package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.router.RouterConfig;
import clickledger.router.spool.Spool;
import clickledger.testkit.PostgresFixture;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's own failure paths, against a real PostgreSQL and a real spool: an Error thrown
 * inside a write, and clicks offered while the writer stops.
 */
class ClickWriterTest {
    private static DatabaseConfig.Endpoint endpoint;
    private static Database database;
    private static PrometheusMeterRegistry registry;

    @TempDir
    Path spoolDirectory;

    @BeforeAll
    static void open() {
        endpoint = PostgresFixture.get().newDatabase();
        Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(endpoint));
        RouterConfig config = RouterConfig.fromEnv(env);
        registry = Metrics.newRegistry("router");
        database = Database.connect("router", config.database(), registry, config.poolLimits());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static Click click() {
        long now = System.currentTimeMillis();
        UUID id = Ulid.newUuidV7(now);
        return new Click(
                id,
                now,
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                null,
                "test",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null);
    }

    /** The real live sink, except that its first write throws {@code error}, as a bug or the JVM might. */
    private static ClickSink failingOnce(Throwable error) {
        ClickSink real = new PostgresCopyClickSink(database.pool());
        AtomicBoolean thrown = new AtomicBoolean();
        return new ClickSink() {
            @Override
            public void write(List<Click> batch) throws Exception {
                if (thrown.compareAndSet(false, true)) {
                    if (error instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) error;
                }
                real.write(batch);
            }

            @Override
            public boolean ping() {
                return real.ping();
            }
        };
    }

    private static CompletableFuture<Void> submit(ClickWriter writer, Click click) {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        assertThat(writer.submit(click, new ClickWriter.Completion() {
                    @Override
                    public void durable() {
                        answered.complete(null);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        answered.completeExceptionally(cause);
                    }
                }))
                .isTrue();
        return answered;
    }

    private static boolean stored(UUID id) throws Exception {
        try (Connection connection =
                        DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
                PreparedStatement query = connection.prepareStatement("select count(*) from click where id = ?")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1) == 1;
            }
        }
    }

    @Test
    void anErrorThrownInAWriteIsLoggedCountedAndTheWriterCarriesOn() throws Exception {
        PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
        try (Spool spool = Spool.open(spoolDirectory, metrics)) {
            // One writer: if the Error killed it, nothing would answer the next click.
            ClickWriter writer = new ClickWriter(
                    failingOnce(new StackOverflowError("injected")),
                    spool,
                    Duration.ofMillis(250),
                    1,
                    1_000,
                    50,
                    metrics);
            try {
                Click first = click();
                submit(writer, first).get(10, TimeUnit.SECONDS);
                assertThat(spool.records())
                        .as("the failed batch went to the spool")
                        .isEqualTo(1);
                assertThat(writer.databaseUp()).isFalse();

                // PostgreSQL answers again: the same writer thread commits the next batch.
                writer.requestProbe();
                Click second = click();
                submit(writer, second).get(10, TimeUnit.SECONDS);
                assertThat(stored(second.id()))
                        .as("committed by the writer that survived the Error")
                        .isTrue();
                // Counted only now, so on a writer that the Error killed the test fails on the
                // click above (never answered), not merely on a missing metric.
                assertThat(metrics.get("clickledger_click_writer_errors_total")
                                .counter()
                                .count())
                        .isEqualTo(1);
                assertThat(writer.databaseUp()).isTrue();
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void anUnexpectedRuntimeExceptionIsSpooledAndCountedToo() throws Exception {
        PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
        try (Spool spool = Spool.open(spoolDirectory, metrics)) {
            ClickWriter writer = new ClickWriter(
                    failingOnce(new IllegalStateException("injected")),
                    spool,
                    Duration.ofMillis(250),
                    1,
                    1_000,
                    50,
                    metrics);
            try {
                submit(writer, click()).get(10, TimeUnit.SECONDS);
                assertThat(spool.records()).isEqualTo(1);
                writer.requestProbe();
                Click next = click();
                submit(writer, next).get(10, TimeUnit.SECONDS);
                assertThat(stored(next.id())).isTrue();
            } finally {
                writer.close();
            }
        }
    }

    /**
     * Close races the visitors: a click queued just after the writers took their last look at the
     * queue used to sit there unanswered, its visitor's connection open until the server stopped.
     * Every click whose submit returned true must be answered, exactly once.
     */
    @Test
    void everyClickAcceptedWhileTheWriterStopsIsAnswered() throws Exception {
        for (int round = 0; round < 40; round++) {
            PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
            try (Spool spool = Spool.open(spoolDirectory.resolve("round-" + round), metrics)) {
                ClickWriter writer = new ClickWriter(
                        new PostgresCopyClickSink(database.pool()),
                        spool,
                        Duration.ofMillis(250),
                        2,
                        1_000,
                        50,
                        metrics);
                AtomicBoolean done = new AtomicBoolean();
                AtomicInteger accepted = new AtomicInteger();
                AtomicInteger answered = new AtomicInteger();
                AtomicInteger answeredTwice = new AtomicInteger();
                CountDownLatch started = new CountDownLatch(4);
                List<Thread> visitors = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    visitors.add(Thread.ofPlatform().start(() -> {
                        started.countDown();
                        while (!done.get()) {
                            AtomicBoolean once = new AtomicBoolean();
                            boolean queued = writer.submit(click(), new ClickWriter.Completion() {
                                @Override
                                public void durable() {
                                    count();
                                }

                                @Override
                                public void failed(Throwable cause) {
                                    count();
                                }

                                private void count() {
                                    if (!once.compareAndSet(false, true)) {
                                        answeredTwice.incrementAndGet();
                                    }
                                    answered.incrementAndGet();
                                }
                            });
                            if (queued) {
                                accepted.incrementAndGet();
                            } else {
                                Thread.onSpinWait(); // a full queue, or the writer stopped
                            }
                        }
                    }));
                }
                started.await();
                Thread.sleep(20);
                writer.close();
                Thread.sleep(5); // visitors keep offering after close returned, as open connections do
                done.set(true);
                for (Thread visitor : visitors) {
                    visitor.join();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (answered.get() < accepted.get() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(answered.get())
                        .as("round %d: every accepted click answered", round)
                        .isEqualTo(accepted.get());
                assertThat(answeredTwice.get()).isZero();
            }
        }
    }
}
