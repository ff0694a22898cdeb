package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for clicks. Requests hand a click and a completion to a bounded queue and return
 * without waiting; a few writer threads take whatever has accumulated (up to {@code maxBatchSize})
 * and make it durable in one step through the sink (one PostgreSQL statement, or one spool append
 * and fsync when the database is slow or down), then complete every request of that batch. No
 * thread parks per click: the redirect's 302 is sent by the writer through the completion once the
 * batch is durable. Database concurrency is bounded by the sink, never by the number of clients.
 */
public final class ClickWriter implements AutoCloseable {
    /** Called exactly once per submitted click, on a writer thread. */
    public interface Completion {
        void durable();

        void failed(Throwable cause);
    }

    private record Pending(Click click, Completion completion) {}

    private static final Logger LOG = LoggerFactory.getLogger(ClickWriter.class);

    private final ClickSink sink;
    private final ArrayBlockingQueue<Pending> queue;
    private final int maxBatchSize;
    private final Thread[] writers;
    private final DistributionSummary batchSizes;
    private final Timer commitLatency;
    private final Counter written;
    private final Counter failures;
    private final Counter rejected;
    private volatile boolean running = true;

    /**
     * @param queueCapacity clicks that may wait for a writer; beyond it a click is refused at once
     *     (the request answers 503) instead of memory growing without bound while the database
     *     is stuck. The default, 20,000, is about a second of the throughput target.
     */
    public ClickWriter(ClickSink sink, int writerThreads, int queueCapacity, int maxBatchSize, MeterRegistry registry) {
        this.sink = requireNonNull(sink, "sink is null");
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatchSize = maxBatchSize;
        this.batchSizes = DistributionSummary.builder("clickledger_click_batch_size")
                .description("clicks per group commit")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.commitLatency = Timer.builder("clickledger_click_commit_seconds")
                .description("time to make one batch durable")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.written = Counter.builder("clickledger_clicks_written_total").register(registry);
        this.failures =
                Counter.builder("clickledger_click_write_failures_total").register(registry);
        this.rejected = Counter.builder("clickledger_clicks_rejected_total")
                .description("clicks refused because the writer queue was full")
                .register(registry);
        registry.gauge("clickledger_click_queue_depth", queue, ArrayBlockingQueue::size);
        this.writers = new Thread[writerThreads];
        for (int i = 0; i < writerThreads; i++) {
            writers[i] = Thread.ofPlatform().name("click-writer-" + i).daemon().start(this::writeLoop);
        }
    }

    /** Queues a click; false (and no completion call) when the queue is full or the writer stopped. */
    public boolean submit(Click click, Completion completion) {
        if (!running || !queue.offer(new Pending(click, completion))) {
            rejected.increment();
            return false;
        }
        return true;
    }

    public int queueDepth() {
        return queue.size();
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatchSize);
        List<Click> clicks = new ArrayList<>(maxBatchSize);
        while (running || !queue.isEmpty()) {
            Pending first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (first == null) {
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatchSize - 1);
            for (Pending pending : batch) {
                clicks.add(pending.click());
            }
            writeBatch(batch, clicks);
            batch.clear();
            clicks.clear();
        }
    }

    private void writeBatch(List<Pending> batch, List<Click> clicks) {
        long start = System.nanoTime();
        try {
            sink.write(clicks);
        } catch (Exception e) {
            failures.increment(batch.size());
            LOG.atError()
                    .addKeyValue("clicks", batch.size())
                    .addKeyValue("error", e.toString())
                    .log("click batch not durable");
            for (Pending pending : batch) {
                complete(() -> pending.completion().failed(e));
            }
            return;
        }
        long elapsed = System.nanoTime() - start;
        commitLatency.record(elapsed, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        written.increment(batch.size());
        for (Pending pending : batch) {
            complete(pending.completion()::durable);
        }
    }

    private static void complete(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // One broken response must not stop the rest of its batch from being answered.
            LOG.atWarn().addKeyValue("error", e.toString()).log("click completion failed");
        }
    }

    /** Stops taking clicks, writes what is queued, then returns. */
    @Override
    public void close() {
        running = false;
        for (Thread writer : writers) {
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
