package clickledger.router;

import clickledger.router.click.ClickWriter;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's thread pool, except for jobs handed to it by the click writers. When a response is
 * completed from a thread other than the one that handled the request, Jetty resumes the
 * connection by executing it on the pool: a wake-up and a context switch for every redirect, since
 * every 302 is completed by a writer after its batch is durable. Profiled under load, context
 * switching was a third of the router's CPU. A writer runs that job itself instead: it only reads
 * whatever the client sent next (usually nothing yet, so it asks the selector to watch the socket)
 * and, if a request is there, runs the non-blocking handler, which queues the click and returns.
 */
final class AnswerInlineThreadPool extends QueuedThreadPool {
    AnswerInlineThreadPool(int maxThreads, int minThreads) {
        super(maxThreads, minThreads);
    }

    @Override
    public void execute(Runnable job) {
        if (ClickWriter.onAnsweringThread()) {
            job.run();
            return;
        }
        super.execute(job);
    }
}
