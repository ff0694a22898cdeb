package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.attribution.UserLock;
import clickledger.common.id.Ulid;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds a program's lock exclusively, in a transaction of its own, as a re-derivation does for
 * its whole run ({@link UserLock#acquireProgram}), until {@link #release} or {@link #close}.
 */
public final class ProgramLockHolder implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Void> holder;

    private ProgramLockHolder(TestApi api, String programId) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        holder = CompletableFuture.runAsync(() -> api.dsl().transaction(trx -> {
            UserLock.acquireProgram(trx.dsl(), Ulid.parse(programId).orElseThrow());
            held.countDown();
            release.await();
        }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!held.await(10, TimeUnit.MILLISECONDS)) {
            if (holder.isDone()) {
                holder.get(); // its failure, if it failed
            }
            assertThat(System.nanoTime()).as("the program's lock taken in time").isLessThan(deadline);
        }
    }

    /** Takes the lock of the program (its id as the api writes it) and returns once it is held. */
    public static ProgramLockHolder hold(TestApi api, String programId) throws Exception {
        return new ProgramLockHolder(api, programId);
    }

    /** Ends the holding transaction; {@link #close} waits for it. */
    public void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release.countDown();
        try {
            holder.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the lock's transaction ended", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the lock's transaction did not end cleanly", e);
        }
    }
}
