package clickledger.api.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery loop every outbox of the api shares (webhook deliveries, mail): one platform thread
 * claims due rows through its {@link Queue} and hands each to a virtual thread, at most {@code
 * concurrency} at once in this process. Every api replica runs one per outbox; they never get the
 * same row, because a queue's claim takes rows {@code FOR UPDATE SKIP LOCKED} and leases them (the
 * row is not due again until the lease ends), so the claim is the only coordination and no
 * advisory lock is needed.
 *
 * <p>What differs between outboxes stays in their queue: which rows are due (webhooks hold back an
 * endpoint at its own limit or with an open breaker), how one is sent, and how its outcome is
 * written. What is the same idea lives here and in {@link RetrySchedule}: claim with a lease, send
 * on virtual threads within a bound, wait for a free slot or the poll interval, and on close let
 * sends in flight finish for a grace period before cutting them off (their leases expire and the
 * rows go again, so delivery is at least once).
 *
 * @param <T> a claimed row, with what sending it takes
 */
public final class LeasedWorker<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedWorker.class);
    // How long close() lets sends in flight finish before cutting them off.
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    /** The part of an outbox that knows its table and its way of sending. */
    public interface Queue<T> {
        /**
         * Leases up to {@code slots} due rows until {@code clock.instant() + lease}; may throw, in
         * which case the loop logs and waits the poll interval.
         */
        List<T> claim(int slots, Duration lease);

        /**
         * Sends one claimed row and writes its outcome; runs on a virtual thread of its own. An
         * exception escaping it is logged; the row then goes again when its lease ends.
         */
        void deliver(T claimed);

        /** After the last send finished or was cut off at close: write what is still buffered. */
        default void stopped() {}
    }

    private final String name;
    private final Queue<T> queue;
    private final int concurrency;
    private final Duration pollInterval;
    private final Duration lease;
    private final ExecutorService sends;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int inFlight; // guarded by lock
    private volatile boolean running;
    private Thread loop;

    /**
     * @param name names the threads ({@code name-worker}, {@code name-delivery-N}) and the log lines
     * @param concurrency sends in flight in this process at most
     * @param pollInterval how long an idle loop waits before it looks for due rows again
     * @param lease how long a claimed row is this worker's: longer than any send can take
     */
    public LeasedWorker(String name, Queue<T> queue, int concurrency, Duration pollInterval, Duration lease) {
        this.name = requireNonNull(name, "name is null");
        this.queue = requireNonNull(queue, "queue is null");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be positive");
        }
        this.concurrency = concurrency;
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.lease = requireNonNull(lease, "lease is null");
        this.sends = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name(name + "-delivery-", 0).factory());
    }

    /** A lease that outlasts an attempt bounded by {@code timeout}, with room to write its outcome. */
    public static Duration leaseFor(Duration timeout) {
        return timeout.multipliedBy(2).plusSeconds(30);
    }

    public LeasedWorker<T> start() {
        running = true;
        loop = Thread.ofPlatform().name(name + "-worker").daemon(true).start(this::run);
        return this;
    }

    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes an idle loop now instead of at the end of its poll interval (after rows were queued here). */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            int free = awaitFreeSlots();
            if (!running) {
                return;
            }
            List<T> batch;
            try {
                batch = queue.claim(free, lease);
            } catch (RuntimeException e) {
                LOG.atError()
                        .setCause(e)
                        .addKeyValue("outbox", name)
                        .log("claim failed; trying again after the poll interval");
                pause();
                continue;
            }
            for (T claimed : batch) {
                lock.lock();
                try {
                    inFlight++;
                } finally {
                    lock.unlock();
                }
                sends.execute(() -> {
                    try {
                        queue.deliver(claimed);
                    } catch (RuntimeException e) {
                        LOG.atError()
                                .setCause(e)
                                .addKeyValue("outbox", name)
                                .log("send failed unexpectedly; the row goes again when its lease ends");
                    } finally {
                        release();
                    }
                });
            }
            if (batch.size() < free) {
                // Nothing else is due (or what is due is held back): wait for a send to finish,
                // which may free a slot the queue holds back for, or for the poll interval.
                pause();
            }
        }
    }

    private int awaitFreeSlots() {
        lock.lock();
        try {
            while (running && inFlight >= concurrency) {
                changed.await();
            }
            return concurrency - inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return 0;
        } finally {
            lock.unlock();
        }
    }

    private void pause() {
        lock.lock();
        try {
            if (running) {
                changed.await(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops claiming, lets sends in flight finish for a few seconds, then cuts them off (their
     * leases expire and they go again later), and finally lets the queue write what it buffered.
     */
    @Override
    public void close() {
        running = false;
        wake();
        if (loop != null) {
            try {
                loop.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sends.shutdown();
        try {
            if (!sends.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                sends.shutdownNow();
                sends.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            sends.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            queue.stopped();
        }
    }
}
