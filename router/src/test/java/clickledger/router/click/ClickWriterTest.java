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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
                null,
                null,
                null,
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
        try (Connection connection = DriverManager.getConnection(
                        endpoint.jdbcUrl(), endpoint.user(), endpoint.password().reveal());
                PreparedStatement query = connection.prepareStatement("select count(*) from click where id = ?")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1) == 1;
            }
        }
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                // An Error escapes catch (Exception): it used to end the writer thread silently.
                Arguments.of(new StackOverflowError("injected"), 1),
                // A bug's RuntimeException is a failed batch like a failed statement.
                Arguments.of(new IllegalStateException("injected"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aThrowableInAWriteIsSpooledCountedAndTheWriterCarriesOn(Throwable failure, int countedAsWriterErrors)
            throws Exception {
        PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
        try (Spool spool = Spool.open(spoolDirectory, metrics)) {
            // One writer: if the failure killed it, nothing would answer the next click.
            ClickWriter writer =
                    new ClickWriter(failingOnce(failure), spool, Duration.ofMillis(250), 1, 1_000, 50, metrics);
            try {
                submit(writer, click()).get(10, TimeUnit.SECONDS);
                assertThat(spool.records())
                        .as("the failed batch went to the spool")
                        .isEqualTo(1);
                assertThat(writer.databaseUp()).isFalse();

                // PostgreSQL answers again: the writer probes it (an empty batch, there being no
                // traffic) and is up again; then the same writer thread commits the next click.
                writer.requestProbe();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!writer.databaseUp() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                // The watchdog may still be in its last poll of the down state (one tick, 50 ms);
                // a click it takes then is spooled, durable but not what this test looks for.
                Thread.sleep(200);
                Click second = click();
                submit(writer, second).get(10, TimeUnit.SECONDS);
                assertThat(stored(second.id()))
                        .as("committed by the writer that survived the failure")
                        .isTrue();
                assertThat(writer.databaseUp()).isTrue();
                // Counted only now, so on a writer that an Error killed the test fails on the
                // click above (never answered), not merely on a missing metric.
                assertThat(metrics.get("clickledger_click_writer_errors_total")
                                .counter()
                                .count())
                        .isEqualTo(countedAsWriterErrors);
            } finally {
                writer.close();
            }
        }
    }

    /**
     * A writer writes every answer of a batch before it runs what Jetty handed it meanwhile (the
     * connections' resumes, AnswerInlineThreadPool): by then the clients have sent their next
     * requests. Run inline, each resume would follow its own answer; never run, a keep-alive
     * connection would never be read again.
     */
    @Test
    void connectionsAreResumedOnlyAfterTheLastAnswerOfTheirBatch() throws Exception {
        assertThat(ClickWriter.runAfterBatch(() -> {}))
                .as("nothing is held on a thread that answers no batch")
                .isFalse();
        PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
        ClickSink real = new PostgresCopyClickSink(database.pool());
        CountDownLatch firstBatchIn = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        // Holds the first batch in "PostgreSQL" until the next twenty clicks are queued behind it,
        // so those twenty form one batch.
        ClickSink gated = new ClickSink() {
            @Override
            public void write(List<Click> batch) throws Exception {
                if (first.compareAndSet(true, false)) {
                    firstBatchIn.countDown();
                    assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                }
                real.write(batch);
            }

            @Override
            public boolean ping() {
                return real.ping();
            }
        };
        try (Spool spool = Spool.open(spoolDirectory, metrics)) {
            ClickWriter writer = new ClickWriter(gated, spool, Duration.ofSeconds(30), 1, 1_000, 50, metrics);
            try {
                CompletableFuture<Void> blocker = submit(writer, click());
                assertThat(firstBatchIn.await(10, TimeUnit.SECONDS)).isTrue();
                List<String> events = Collections.synchronizedList(new ArrayList<>());
                List<Long> answeredBatchesSeen = Collections.synchronizedList(new ArrayList<>());
                List<CompletableFuture<Void>> resumed = new ArrayList<>();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    resumed.add(done);
                    expected.add("answer " + n);
                    assertThat(writer.submit(click(), new ClickWriter.Completion() {
                                @Override
                                public void durable() {
                                    events.add("answer " + n);
                                    boolean held = ClickWriter.runAfterBatch(() -> {
                                        events.add("resume " + n);
                                        // A resume handles the visitor's next request, /metrics
                                        // perhaps: its batch must be counted by then.
                                        answeredBatchesSeen.add(metrics.get("clickledger_click_batch_answer_seconds")
                                                .timer()
                                                .count());
                                        done.complete(null);
                                    });
                                    if (!held) {
                                        done.completeExceptionally(new AssertionError("ran on a non-answering thread"));
                                    }
                                }

                                @Override
                                public void failed(Throwable cause) {
                                    done.completeExceptionally(cause);
                                }
                            }))
                            .isTrue();
                }
                for (int i = 0; i < 20; i++) {
                    expected.add("resume " + i);
                }
                release.countDown();
                blocker.get(10, TimeUnit.SECONDS);
                CompletableFuture.allOf(resumed.toArray(CompletableFuture[]::new))
                        .get(10, TimeUnit.SECONDS);
                assertThat(events).containsExactlyElementsOf(expected);
                assertThat(answeredBatchesSeen)
                        .as("the blocker's batch and this one, counted before any resume")
                        .hasSize(20)
                        .containsOnly(2L);
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

    /** Answered, and on which thread. */
    private record Answer(String thread, boolean durable) {}

    private static CompletableFuture<Answer> offer(ClickWriter writer, Click click) {
        CompletableFuture<Answer> answered = new CompletableFuture<>();
        assertThat(writer.submit(click, new ClickWriter.Completion() {
                    @Override
                    public void durable() {
                        answered.complete(new Answer(Thread.currentThread().getName(), true));
                    }

                    @Override
                    public void failed(Throwable cause) {
                        answered.complete(new Answer(Thread.currentThread().getName(), false));
                    }
                }))
                .isTrue();
        return answered;
    }

    /**
     * A writer with one writer thread and batches of at most 50, its spool, and a stand-in for a
     * selector thread (runs what it is given, in order) with a lane bound to it.
     */
    private final class LaneRig implements AutoCloseable {
        final PrometheusMeterRegistry metrics = Metrics.newRegistry("router");
        final ExecutorService selector;
        final Spool spool;
        final ClickWriter writer;
        final ClickWriter.Lane lane;

        /** {@code wakeup} gets the lane, once made: what the selector does when woken. */
        LaneRig(String thread, ClickSink sink, Duration budget, Consumer<LaneRig> wakeup) throws Exception {
            selector = Executors.newSingleThreadExecutor(
                    task -> Thread.ofPlatform().name(thread).unstarted(task));
            spool = Spool.open(spoolDirectory.resolve(thread), metrics);
            writer = new ClickWriter(sink, spool, budget, 1, 1_000, 50, metrics);
            lane = writer.newLane(() -> wakeup.accept(this));
            onSelector(lane::commit);
        }

        LaneRig(String thread) throws Exception {
            this(thread, new PostgresCopyClickSink(database.pool()), Duration.ofSeconds(5), rig -> {});
        }

        <T> T onSelector(Callable<T> task) throws Exception {
            return selector.submit(task).get(10, TimeUnit.SECONDS);
        }

        List<CompletableFuture<Answer>> offerOnSelector(List<Click> clicks) throws Exception {
            return onSelector(
                    () -> clicks.stream().map(click -> offer(writer, click)).toList());
        }

        double selectorBatches() {
            return metrics.get("clickledger_click_selector_batches_total")
                    .counter()
                    .count();
        }

        @Override
        public void close() throws Exception {
            writer.close();
            selector.shutdownNow();
            spool.close();
        }
    }

    @Test
    void aLaneHoldsItsThreadsClicksUntilThatThreadCommitsThemAndAnswersThemThere() throws Exception {
        try (LaneRig rig = new LaneRig("lane-selector")) {
            List<Click> clicks = List.of(click(), click(), click());
            List<CompletableFuture<Answer>> answers = rig.offerOnSelector(clicks);
            // Offered on another thread: the writers take it, with no commit of the lane.
            Click elsewhere = click();
            assertThat(offer(rig.writer, elsewhere).get(5, TimeUnit.SECONDS))
                    .isEqualTo(new Answer("click-writer-0", true));
            assertThat(answers).as("held by the lane, not queued").noneMatch(CompletableFuture::isDone);
            assertThat(rig.writer.queueDepth()).isZero();

            assertThat(rig.onSelector(rig.lane::commit))
                    .as("nothing offered while answering")
                    .isFalse();
            assertThat(answers).allMatch(answer -> new Answer("lane-selector", true).equals(answer.getNow(null)));
            for (Click click : clicks) {
                assertThat(stored(click.id())).isTrue();
            }
            assertThat(stored(elsewhere.id())).isTrue();
            assertThat(rig.selectorBatches()).isEqualTo(1);
        }
    }

    @Test
    void aPassOfMoreClicksThanTheBatchMaxIsCommittedThatManyAtATime() throws Exception {
        try (LaneRig rig = new LaneRig("chunking-selector")) {
            List<Click> clicks =
                    Stream.generate(ClickWriterTest::click).limit(120).toList();
            List<CompletableFuture<Answer>> answers = rig.offerOnSelector(clicks);
            rig.onSelector(rig.lane::commit);
            assertThat(answers).allMatch(answer -> new Answer("chunking-selector", true).equals(answer.getNow(null)));
            assertThat(rig.selectorBatches())
                    .as("120 clicks, at most 50 per statement")
                    .isEqualTo(3);
            assertThat(rig.metrics.get("clickledger_click_batch_size").summary().max())
                    .isEqualTo(50);
            for (Click click : clicks) {
                assertThat(stored(click.id())).isTrue();
            }
        }
    }

    @Test
    void aLaneStuckInPostgresIsTakenOverByTheWatchdogAndItsThreadFreed() throws Exception {
        CountDownLatch abandoned = new CountDownLatch(1);
        List<String> abandonedThreads = Collections.synchronizedList(new ArrayList<>());
        // A database that takes a batch and never answers, until the watchdog abandons the writer.
        ClickSink hung = new ClickSink() {
            @Override
            public void write(List<Click> batch) throws Exception {
                abandoned.await();
                throw new SQLException("aborted");
            }

            @Override
            public boolean ping() {
                return false;
            }

            @Override
            public void abandon(Thread writer) {
                abandonedThreads.add(writer.getName());
                abandoned.countDown();
            }
        };
        try (LaneRig rig = new LaneRig("stuck-selector", hung, Duration.ofMillis(200), lane -> {})) {
            CompletableFuture<Answer> answer =
                    rig.offerOnSelector(List.of(click())).getFirst();
            long start = System.nanoTime();
            var committing = rig.selector.submit(rig.lane::commit);
            assertThat(answer.get(5, TimeUnit.SECONDS))
                    .as("spooled and answered by the watchdog while the lane's thread is stuck")
                    .isEqualTo(new Answer("click-watchdog", true));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
            committing.get(5, TimeUnit.SECONDS);
            assertThat(abandonedThreads).containsExactly("stuck-selector");
            assertThat(rig.writer.databaseUp()).isFalse();
            assertThat(rig.metrics
                            .get("clickledger_click_fallbacks_total")
                            .tag("reason", "slow")
                            .counter()
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void closingCommitsWhatALaneStillHolds() throws Exception {
        // The wakeup does what a selector's does: its thread comes round and commits, here after
        // half a second of other work, longer than the writers take to stop.
        try (LaneRig rig = new LaneRig(
                "closing-selector",
                new PostgresCopyClickSink(database.pool()),
                Duration.ofSeconds(5),
                woken -> woken.selector.submit(() -> {
                    Thread.sleep(500);
                    return woken.lane.commit();
                }))) {
            Click held = click();
            CompletableFuture<Answer> answer =
                    rig.offerOnSelector(List.of(held)).getFirst();
            assertThat(answer).isNotDone();
            rig.writer.close();
            assertThat(answer.getNow(null))
                    .as("answered before close returned")
                    .isEqualTo(new Answer("closing-selector", true));
            assertThat(stored(held.id())).isTrue();
            assertThat(rig.onSelector(() -> rig.writer.submit(click(), new ClickWriter.Completion() {
                        @Override
                        public void durable() {}

                        @Override
                        public void failed(Throwable cause) {}
                    })))
                    .as("refused once closed")
                    .isFalse();
        }
    }
}
