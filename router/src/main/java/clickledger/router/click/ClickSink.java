package clickledger.router.click;

import java.util.List;

/**
 * Where batches of clicks are made durable. {@link ClickWriter} groups clicks and calls one sink;
 * PostgreSQL is the first, and a local spool for when the database is slow or down slots in
 * behind the same interface.
 */
public interface ClickSink {
    /** Returns only once every click of the batch is durable; throws if none of it may be assumed so. */
    void write(List<Click> batch) throws Exception;

    /** True when the sink can take a write now. */
    boolean ping();

    /**
     * {@code writer} has been in {@link #write} longer than its budget: make that call return now
     * (it may throw), for instance by aborting its connection. Called from another thread; a
     * write that already returned is left alone.
     */
    default void abandon(Thread writer) {}
}
