package clickledger.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.group.GroupCommit.Outcome;
import clickledger.web.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The coalescer alone: what it batches, and that every way out (a full or closed queue, a timeout,
 * a writer that throws, a batch handed back) is an answer. The identify batch itself, against
 * PostgreSQL, is IdentifyGroupCommitTest.
 */
class GroupCommitTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

    /** A writer that answers each item with itself times ten, after {@code gate} opens. */
    private GroupCommit.Writer<Integer, Integer> gated(CountDownLatch gate, CountDownLatch entered) {
        return items -> {
            entered.countDown();
            await(gate);
            batches.add(List.copyOf(items));
            return items.stream()
                    .map(i -> (Outcome<Integer>) new Outcome.Done<>(i * 10))
                    .toList();
        };
    }

    private GroupCommit<Integer, Integer> commit(GroupCommit.Writer<Integer, Integer> writer, int queue, int max) {
        return new GroupCommit<>("test", writer, 1, queue, max, Duration.ofSeconds(5), null, registry);
    }

    @Test
    void requestsQueuedWhileABatchIsWrittenShareTheNextInTheirOrderUpToTheCap() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (GroupCommit<Integer, Integer> commit = commit(gated(gate, entered), 100, 3)) {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            answers.add(submit(commit, 0));
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 5; i++) {
                answers.add(submit(commit, i));
                awaitDepth(commit, i);
            }
            gate.countDown();
            for (int i = 0; i <= 5; i++) {
                assertThat(answers.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i * 10);
            }
            assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
            assertThat(registry.get("clickledger_test_batch_size").summary().count())
                    .isEqualTo(3);
            assertThat(registry.get("clickledger_test_batch_seconds").timer().count())
                    .isEqualTo(3);
        }
    }

    @Test
    void aFullQueueIsA503WithRetryAfterAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (GroupCommit<Integer, Integer> commit = commit(gated(gate, entered), 2, 10)) {
            CompletableFuture<Integer> first = submit(commit, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> second = submit(commit, 1);
            CompletableFuture<Integer> third = submit(commit, 2);
            awaitDepth(commit, 2);
            assertThatThrownBy(() -> commit.submit(3, () -> -1)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.code()).isEqualTo("busy");
                assertThat(e.retryAfter()).isEqualTo("1");
            });
            gate.countDown();
            assertThat(List.of(
                            first.get(5, TimeUnit.SECONDS),
                            second.get(5, TimeUnit.SECONDS),
                            third.get(5, TimeUnit.SECONDS)))
                    .containsExactly(0, 10, 20);
            assertThat(counter("clickledger_test_refused_total", "queue_full")).isEqualTo(1);
        }
    }

    @Test
    void aRequestStillQueuedAtItsTimeoutIs503AndNeverWritten() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (GroupCommit<Integer, Integer> commit =
                new GroupCommit<>("test", gated(gate, entered), 1, 10, 10, Duration.ofMillis(300), null, registry)) {
            CompletableFuture<Integer> first = submit(commit, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> commit.submit(1, () -> -1)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.retryAfter()).isEqualTo("1");
                assertThat(e.getMessage()).contains("not written");
            });
            gate.countDown();
            // The first outlived its timeout inside the writer: it may have been written, so 503 too.
            assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).satisfies(e -> assertThat(e.getCause())
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("may have been written"));
            CompletableFuture<Integer> later = submit(commit, 2);
            assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo(20);
            assertThat(batches).containsExactly(List.of(0), List.of(2));
            assertThat(counter("clickledger_test_refused_total", "timeout")).isEqualTo(2);
        }
    }

    @Test
    void aWriterThatThrowsAnswersItsBatch500IsCountedAndWritesTheNextBatch() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        GroupCommit.Writer<Integer, Integer> writer = items -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug");
            }
            return items.stream()
                    .map(i -> (Outcome<Integer>) new Outcome.Done<>(i))
                    .toList();
        };
        try (GroupCommit<Integer, Integer> commit = commit(writer, 10, 10)) {
            assertThatThrownBy(() -> commit.submit(1, () -> -1)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.code()).isEqualTo("internal_error");
            });
            assertThat(commit.submit(2, () -> -1)).isEqualTo(2);
            assertThat(registry.get("clickledger_test_writer_errors_total")
                            .counter()
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void anItemsOwnErrorIsThrownAndAHandedBackItemIsDoneByItsRequest() {
        GroupCommit.Writer<Integer, Integer> writer = items -> items.stream()
                .map(i -> switch (i) {
                    case 1 -> (Outcome<Integer>) new Outcome.Failed<Integer>(ApiException.notFound("item 1"));
                    case 2 -> new Outcome.Alone<Integer>();
                    default -> new Outcome.Done<>(i);
                })
                .toList();
        try (GroupCommit<Integer, Integer> commit = commit(writer, 10, 10)) {
            assertThatThrownBy(() -> commit.submit(1, () -> -1))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThat(commit.submit(2, () -> 222)).isEqualTo(222);
            assertThat(commit.submit(3, () -> -1)).isEqualTo(3);
            assertThat(registry.get("clickledger_test_alone_total").counter().count())
                    .isEqualTo(1);
        }
    }

    @Test
    void closeWritesWhatIsQueuedThenRefuses() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = commit(gated(gate, entered), 10, 10);
        CompletableFuture<Integer> first = submit(commit, 0);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> queued = submit(commit, 1);
        awaitDepth(commit, 1);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(commit::close);
        Thread.sleep(100);
        gate.countDown();
        closed.get(5, TimeUnit.SECONDS);
        assertThat(first.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo(10);
        assertThatThrownBy(() -> commit.submit(2, () -> -1)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("shutting_down");
            assertThat(e.retryAfter()).isEqualTo("1");
        });
        assertThat(batches).containsExactly(List.of(0), List.of(1));
    }

    @Test
    void shardedItemsAreWrittenByTheirShardsWriterInOrderWhileOtherShardsGoOn() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        List<String> writersOfEven = Collections.synchronizedList(new ArrayList<>());
        List<String> writersOfOdd = Collections.synchronizedList(new ArrayList<>());
        GroupCommit.Writer<Integer, Integer> writer = items -> {
            // Shard 0 (even items) is held at the gate; shard 1 must not wait for it.
            if (items.getFirst() % 2 == 0) {
                entered.countDown();
                await(gate);
            }
            (items.getFirst() % 2 == 0 ? writersOfEven : writersOfOdd)
                    .add(Thread.currentThread().getName());
            batches.add(List.copyOf(items));
            return items.stream()
                    .map(i -> (Outcome<Integer>) new Outcome.Done<>(i * 10))
                    .toList();
        };
        try (GroupCommit<Integer, Integer> commit =
                new GroupCommit<>("test", writer, 2, 100, 10, Duration.ofSeconds(5), item -> item, registry)) {
            CompletableFuture<Integer> held = submit(commit, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Integer>> even = new ArrayList<>();
            for (int i = 2; i <= 8; i += 2) {
                even.add(submit(commit, i));
                awaitDepth(commit, i / 2);
            }
            // Odd items are answered while shard 0's writer is still held.
            for (int i = 1; i <= 5; i += 2) {
                assertThat(submit(commit, i).get(5, TimeUnit.SECONDS)).isEqualTo(i * 10);
            }
            assertThat(held).isNotDone();
            gate.countDown();
            assertThat(held.get(5, TimeUnit.SECONDS)).isZero();
            for (int i = 0; i < even.size(); i++) {
                assertThat(even.get(i).get(5, TimeUnit.SECONDS)).isEqualTo((i + 1) * 20);
            }
            // Every batch is of one shard; shard 0's items in their order, all by one writer.
            assertThat(batches).allSatisfy(batch -> assertThat(
                            batch.stream().map(i -> i % 2).distinct())
                    .hasSize(1));
            assertThat(batches.stream()
                            .filter(batch -> batch.getFirst() % 2 == 0)
                            .flatMap(List::stream))
                    .containsExactly(0, 2, 4, 6, 8);
            assertThat(writersOfEven).containsOnly(writersOfEven.getFirst());
            assertThat(writersOfOdd).doesNotContain(writersOfEven.getFirst());
        }
    }

    private static CompletableFuture<Integer> submit(GroupCommit<Integer, Integer> commit, int item) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                answer.complete(commit.submit(item, () -> -1));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    private double counter(String name, String reason) {
        return registry.get(name).tag("reason", reason).counter().count();
    }

    private static void awaitDepth(GroupCommit<?, ?> commit, int depth) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (commit.queueDepth() < depth) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("queue depth " + commit.queueDepth() + ", expected " + depth);
            }
            Thread.sleep(2);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
