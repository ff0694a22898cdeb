package clickledger.api.group;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for requests that wait for their answer ({@code POST /v1/events} and {@code POST
 * /v1/identify}, docs/decisions/0030 and 0031): the request thread hands its item to a bounded
 * queue and waits; a writer thread takes every item queued (up to {@code maxBatch}), never waiting
 * for more to arrive, writes them with one {@link Writer#write} (one transaction), and completes
 * each request with its own {@link Outcome}. What the router's ClickWriter does for clicks, for
 * requests whose answer depends on what the write found.
 *
 * <p>Every way out is an answer: a full queue or a closed one is a 503 with {@code Retry-After}
 * at once; a request whose item is still queued after {@code timeout} is taken off the queue and
 * answered 503 {@code timeout} (never written); one whose item is being written then is answered
 * 503 {@code outcome_unknown} (it may still commit: the requests are idempotent, a retry finds
 * it); a writer that throws answers its batch with a 500 problem, is counted, and carries on;
 * {@link Outcome.Alone} has the request thread do its item by itself, as without this class (a
 * batch that met a lock it would not wait for, or a deadlock); a wait for a re-derivation's hold
 * on its program is then bounded there, by ProgramLocks (decision 0036).
 *
 * <p>With a {@code shard} function each writer has its own queue and takes only the items whose
 * shard falls to it ({@code shard(item) mod writers}): items of one shard (one user's events) are
 * then written one batch after the other by one thread, in the order they were queued, exactly as
 * with a single writer, while other shards' batches are written beside them. Without one, every
 * writer takes from one shared queue.
 *
 * <p>Nothing here knows what an item is: one instance per kind of request, each with its own
 * metrics ({@code clickledger_<name>_batch_size}, …).
 *
 * @param <T> what a request asks for
 * @param <R> what it is answered
 */
public final class GroupCommit<T, R> implements AutoCloseable {
    /** Writes a batch; returns one outcome per item, in the items' order. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<Outcome<R>> write(List<T> items);
    }

    /** How one item of a batch ended. */
    public sealed interface Outcome<R> {
        /** Written (or found written): this is the answer. */
        record Done<R>(R value) implements Outcome<R> {}

        /** The item's own error (a 404 for it alone), thrown on the request's thread. */
        record Failed<R>(RuntimeException error) implements Outcome<R> {}

        /** The batch could not take this item: the request does it by itself. */
        record Alone<R>() implements Outcome<R> {}
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final int QUEUED = 0;
    private static final int TAKEN = 1;
    private static final int CANCELLED = 2;
    // Seconds a refused client should wait: a batch takes milliseconds, so the queue is short again
    // by then; any longer and a checkout page would give up.
    private static final String RETRY_AFTER_SECONDS = "1";

    private static final class Pending<T, R> {
        final T item;
        final CompletableFuture<Outcome<R>> answer = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(QUEUED);

        Pending(T item) {
            this.item = item;
        }
    }

    private final String name;
    private final Writer<T, R> writer;
    // One shared queue, or one per writer (writer i takes queues[i] only) when items are sharded.
    private final List<ArrayBlockingQueue<Pending<T, R>>> queues;
    private final ToIntFunction<T> shard;
    private final int maxBatch;
    private final long timeoutNanos;
    private final Thread[] writers;
    private final DistributionSummary batchSizes;
    private final Timer batchTime;
    private final Counter refusedFull;
    private final Counter refusedClosed;
    private final Counter timedOut;
    private final Counter alone;
    private final Counter writerErrors;
    private volatile boolean running = true;
    // Set once every writer returned: an item queued after that is answered by whoever queued it.
    private volatile boolean stopped;

    /**
     * @param name the metrics' and threads' name ({@code identify})
     * @param writerThreads how many batches may be written at once, each on its own connection
     * @param queueCapacity requests that may wait for a writer; beyond it a request is refused at
     *     once (503) rather than memory and latency growing without bound
     * @param maxBatch items per batch at most
     * @param timeout how long a request waits for its answer
     * @param shard null for one queue that every writer takes from; else each writer has a queue of
     *     its own ({@code queueCapacity} split between them) and takes only the items whose shard
     *     falls to it
     */
    public GroupCommit(
            String name,
            Writer<T, R> writer,
            int writerThreads,
            int queueCapacity,
            int maxBatch,
            Duration timeout,
            ToIntFunction<T> shard,
            MeterRegistry registry) {
        this.name = requireNonNull(name, "name is null");
        this.writer = requireNonNull(writer, "writer is null");
        if (writerThreads < 1 || queueCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("writerThreads, queueCapacity and maxBatch must be positive");
        }
        this.shard = shard;
        int queueCount = shard == null ? 1 : writerThreads;
        List<ArrayBlockingQueue<Pending<T, R>>> queues = new ArrayList<>(queueCount);
        for (int i = 0; i < queueCount; i++) {
            queues.add(new ArrayBlockingQueue<>(Math.max(1, queueCapacity / queueCount)));
        }
        this.queues = List.copyOf(queues);
        this.maxBatch = maxBatch;
        this.timeoutNanos = timeout.toNanos();
        String prefix = "clickledger_" + name;
        this.batchSizes = DistributionSummary.builder(prefix + "_batch_size")
                .description("requests per group commit")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.batchTime = Timer.builder(prefix + "_batch_seconds")
                .description("time to write and commit one batch")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.refusedFull = Counter.builder(prefix + "_refused_total")
                .description("requests answered 503 without being written, by reason")
                .tag("reason", "queue_full")
                .register(registry);
        this.refusedClosed = Counter.builder(prefix + "_refused_total")
                .tag("reason", "shutting_down")
                .register(registry);
        this.timedOut = Counter.builder(prefix + "_refused_total")
                .tag("reason", "timeout")
                .register(registry);
        this.alone = Counter.builder(prefix + "_alone_total")
                .description("requests a batch handed back to be done one by one (lock wait, deadlock)")
                .register(registry);
        this.writerErrors = Counter.builder(prefix + "_writer_errors_total")
                .description("batches whose writer threw; each of their requests was answered 500")
                .register(registry);
        registry.gauge(prefix + "_queue_depth", this, GroupCommit::queueDepth);
        this.writers = new Thread[writerThreads];
        for (int i = 0; i < writerThreads; i++) {
            ArrayBlockingQueue<Pending<T, R>> queue = queues.get(i % queueCount);
            writers[i] =
                    Thread.ofPlatform().name(name + "-writer-" + i).daemon().start(() -> writeLoop(queue));
        }
    }

    /**
     * Queues {@code item} and waits for its answer: the batch's, or {@code alone}'s when the batch
     * handed it back. Throws the item's own error, or a 503 or 500 {@link ApiException}.
     */
    public R submit(T item, Supplier<R> alone) {
        Pending<T, R> pending = new Pending<>(item);
        if (!running) {
            refusedClosed.increment();
            throw unavailable(
                    "shutting_down",
                    "the api is shutting down; this request was not written: retry it on another instance");
        }
        if (!queueOf(item).offer(pending)) {
            refusedFull.increment();
            throw unavailable("busy", "too many requests waiting; this one was not written: retry it shortly");
        }
        if (stopped) {
            answerLeftovers(); // close() drained the queue before this item arrived
        }
        Outcome<R> outcome;
        try {
            outcome = pending.answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            timedOut.increment();
            long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
            throw pending.state.compareAndSet(QUEUED, CANCELLED)
                    ? unavailable("timeout", "not written within " + millis + " ms; retry")
                    : unavailable(
                            "outcome_unknown",
                            "not answered within " + millis
                                    + " ms; it may have been written, a retry (the same body) answers what is stored");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.state.compareAndSet(QUEUED, CANCELLED);
            throw unavailable("shutting_down", "interrupted while waiting; retry");
        } catch (ExecutionException e) {
            throw new IllegalStateException("answers are completed normally", e);
        }
        return switch (outcome) {
            case Outcome.Done<R> done -> done.value();
            case Outcome.Failed<R> failed -> throw failed.error();
            // Waits, if it must, bounded by ProgramLocks: a re-derivation's hold on its program.
            case Outcome.Alone<R> ignored -> alone.get();
        };
    }

    public int queueDepth() {
        int depth = 0;
        for (ArrayBlockingQueue<Pending<T, R>> queue : queues) {
            depth += queue.size();
        }
        return depth;
    }

    private ArrayBlockingQueue<Pending<T, R>> queueOf(T item) {
        return shard == null ? queues.getFirst() : queues.get(Math.floorMod(shard.applyAsInt(item), queues.size()));
    }

    /** False from {@link #close} on: new requests are refused. */
    public boolean accepting() {
        return running;
    }

    private void writeLoop(ArrayBlockingQueue<Pending<T, R>> queue) {
        List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                if (take(queue, batch)) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                // Nobody interrupts a writer on purpose (close() only clears running): the loop's
                // condition alone decides when it stops, after the queue is empty.
            } catch (Throwable e) {
                // A bug or an Error must not kill the writer, nor leave its batch unanswered.
                failed(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Waits up to 200 ms for a first item, then takes what else is queued, without waiting for
     * more: a batch is whatever arrived while the last one was written. False if none came.
     */
    private boolean take(ArrayBlockingQueue<Pending<T, R>> queue, List<Pending<T, R>> into)
            throws InterruptedException {
        Pending<T, R> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
            return false;
        }
        into.add(first);
        queue.drainTo(into, maxBatch - 1);
        // A request that gave up while queued is not written.
        into.removeIf(pending -> !pending.state.compareAndSet(QUEUED, TAKEN));
        return !into.isEmpty();
    }

    private void write(List<Pending<T, R>> batch) {
        long start = System.nanoTime();
        List<T> items = new ArrayList<>(batch.size());
        for (Pending<T, R> pending : batch) {
            items.add(pending.item);
        }
        List<Outcome<R>> outcomes = writer.write(items);
        if (outcomes.size() != batch.size()) {
            throw new IllegalStateException(
                    "the " + name + " writer answered " + outcomes.size() + " of " + batch.size() + " items");
        }
        batchTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Outcome<R> outcome = requireNonNull(outcomes.get(i), "outcome is null");
            if (outcome instanceof Outcome.Alone<R>) {
                alone.increment();
            }
            batch.get(i).answer.complete(outcome);
        }
    }

    private void failed(List<Pending<T, R>> batch, Throwable error) {
        writerErrors.increment();
        LOG.atError()
                .setCause(error)
                .addKeyValue("thread", Thread.currentThread().getName())
                .addKeyValue("requests", batch.size())
                .log("the " + name + " writer failed a batch; answering its requests 500 and carrying on");
        ApiException problem = new ApiException(
                500, "internal_error", "Internal error", "the request could not be written; retry it", List.of());
        for (Pending<T, R> pending : batch) {
            pending.answer.complete(new Outcome.Failed<>(problem));
        }
    }

    // After the writers stopped: whatever is still queued is refused.
    private void answerLeftovers() {
        List<Pending<T, R>> left = new ArrayList<>();
        for (ArrayBlockingQueue<Pending<T, R>> queue : queues) {
            queue.drainTo(left);
        }
        for (Pending<T, R> pending : left) {
            refusedClosed.increment();
            pending.answer.complete(new Outcome.Failed<>(unavailable(
                    "shutting_down",
                    "the api is shutting down; this request was not written: retry it on another instance")));
        }
    }

    private static ApiException unavailable(String code, String detail) {
        return ApiException.unavailable(code, detail, RETRY_AFTER_SECONDS);
    }

    /** Stops taking requests, writes every one already queued, then returns. */
    @Override
    public void close() {
        running = false;
        for (Thread thread : writers) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopped = true;
        answerLeftovers();
    }
}
