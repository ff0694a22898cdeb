package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

/** The timeline follows about one click in CLICK_TIMELINE_SAMPLE, and none when it is 0. */
class ClickTimelineSamplingTest {
    @Test
    void followsAboutOneClickInEvery() {
        ClickTimeline timeline = new ClickTimeline(4, Metrics.newRegistry("router"));
        int sampled = 0;
        for (int i = 0; i < 4_000; i++) {
            if (timeline.sample(System.nanoTime()) != null) {
                sampled++;
            }
        }
        // 1,000 expected; the bounds are more than ten standard deviations (27) away.
        assertThat(sampled).isBetween(700, 1_300);
    }

    @Test
    void oneFollowsEveryClickAndZeroNone() {
        ClickTimeline every = new ClickTimeline(1, Metrics.newRegistry("router"));
        ClickTimeline off = new ClickTimeline(0, Metrics.newRegistry("router"));
        for (int i = 0; i < 100; i++) {
            assertThat(every.sample(System.nanoTime())).isNotNull();
            assertThat(off.sample(System.nanoTime())).isNull();
        }
    }
}
