package clickledger.router.click;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where a redirect's time goes, stage by stage, for one click in {@code every}
 * ({@code CLICK_TIMELINE_SAMPLE}): {@code clickledger_click_stage_seconds{stage=…}}, quantiles over
 * the last 10–20 s (decision 0026, the timeline). A sampled click carries a {@link Stamps} from
 * the handler through the writer's batch to the write of its 302; the others carry null and cost
 * one random draw. The stages add up to {@code total}, which starts when Jetty began to read the
 * request: what a load generator measures beyond it was spent before Jetty read the request
 * (socket buffers, the selector) or after the 302 left (the client).
 */
public final class ClickTimeline {
    /** The stages, in order; each is the time from the end of the one before. */
    public enum Stage {
        /**
         * The request's head began to be parsed (by the router's own HTTP, or by Jetty's for a request
         * handed to it) → the redirect handler runs (parsing, routing).
         */
        PARSE("parse"),
        /** Handler entry → the click is offered for a batch (lookup, building the click). */
        HANDLE("handle"),
        /**
         * Offered → taken into a batch: the rest of its selector thread's pass over the ready
         * connections (decision 0038), or, for a click offered on another thread, the wait for a
         * free writer and its linger.
         */
        QUEUE("queue"),
        /** Taken → durable: the batch's COPY and commit in PostgreSQL (or the spool's fsync). */
        DURABLE("durable"),
        /** Durable → the answering thread (selector or writer) reaches this click in its batch. */
        ANSWER_WAIT("answer_wait"),
        /** The 302 is written → the endpoint reports the write complete. */
        WRITE("write"),
        /** The head began to be parsed → the 302 was written: all of the above. */
        TOTAL("total");

        final String label;

        Stage(String label) {
            this.label = label;
        }
    }

    /** The instants of one sampled click, {@link System#nanoTime()}; written by one thread at a time. */
    public static final class Stamps {
        private final long begin;
        private final long entry;
        private long offered;
        private long taken;
        private long durable;
        private long answering;

        Stamps(long begin, long entry) {
            this.begin = begin;
            this.entry = entry;
        }

        /** The handler offers the click to the writers now. */
        public void offered() {
            offered = System.nanoTime();
        }

        /** The writer about to answer this click: its batch was taken at {@code taken}, durable at {@code durable}. */
        void answering(long taken, long durable) {
            this.taken = taken;
            this.durable = durable;
            answering = System.nanoTime();
        }
    }

    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    // A bench run lasts 10-20 s and reads /metrics right after it: two histograms of 20 s, rotated
    // every 10 s, cover the run just done, not the one a minute before. Each sampled click records
    // into both of every stage's: a third (Micrometer's default) made the timeline's share of the
    // writers' CPU 4 % at 1 in 16 (busy-box profile, decision 0026).
    private static final Duration WINDOW = Duration.ofSeconds(20);

    private final int every;
    private final Timer[] stages;

    /** @param every time one click in this many; 0 turns the timeline off (no meters, no draws) */
    public ClickTimeline(int every, MeterRegistry registry) {
        if (every < 0) {
            throw new IllegalArgumentException("every must be 0 (off) or more, not " + every);
        }
        this.every = every;
        this.stages = new Timer[Stage.values().length];
        if (every == 0) {
            return;
        }
        for (Stage stage : Stage.values()) {
            stages[stage.ordinal()] = recent(
                            Timer.builder("clickledger_click_stage_seconds")
                                    .description("where a redirect's time goes, for 1 click in CLICK_TIMELINE_SAMPLE; "
                                            + "the stages add up to total (decision 0026)")
                                    .tag("stage", stage.label),
                            QUANTILES)
                    .register(registry);
        }
    }

    /** {@code timer} with quantiles over the last 10-20 s, like the stages' (see WINDOW). */
    static Timer.Builder recent(Timer.Builder timer, double... quantiles) {
        return timer.publishPercentiles(quantiles)
                .percentilePrecision(2)
                .distributionStatisticExpiry(WINDOW)
                .distributionStatisticBufferLength(2);
    }

    /** {@code summary} with quantiles over the last 10-20 s, like the stages' (see WINDOW). */
    static DistributionSummary.Builder recent(DistributionSummary.Builder summary, double... quantiles) {
        return summary.publishPercentiles(quantiles)
                .percentilePrecision(2)
                .distributionStatisticExpiry(WINDOW)
                .distributionStatisticBufferLength(2);
    }

    /**
     * Stamps for this click when it is one of the sampled, else null.
     *
     * @param beginNanos when Jetty began to read the request ({@code Request.getBeginNanoTime})
     */
    public Stamps sample(long beginNanos) {
        if (every == 0 || (every > 1 && ThreadLocalRandom.current().nextInt(every) != 0)) {
            return null;
        }
        long now = System.nanoTime();
        // A request without Jetty's instant (0) starts at the handler.
        return new Stamps(beginNanos == 0 ? now : beginNanos, now);
    }

    /** The click's 302 has been written: records every stage of it. */
    public void written(Stamps stamps) {
        long done = System.nanoTime();
        if (stamps.taken == 0) {
            // Never reached a writer's batch (refused, or answered on a path without a batch).
            return;
        }
        record(Stage.PARSE, stamps.entry - stamps.begin);
        record(Stage.HANDLE, stamps.offered - stamps.entry);
        record(Stage.QUEUE, stamps.taken - stamps.offered);
        record(Stage.DURABLE, stamps.durable - stamps.taken);
        record(Stage.ANSWER_WAIT, stamps.answering - stamps.durable);
        record(Stage.WRITE, done - stamps.answering);
        record(Stage.TOTAL, done - stamps.begin);
    }

    private void record(Stage stage, long nanos) {
        stages[stage.ordinal()].record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
