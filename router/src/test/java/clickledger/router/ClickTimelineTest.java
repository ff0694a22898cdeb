package clickledger.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The redirect's stage timeline in /metrics (decision 0026): every sampled click is timed in
 * every stage, the stages add up to its total, and the per-batch figures move with the clicks.
 */
class ClickTimelineTest {
    private static final String[] STAGES = {"parse", "handle", "queue", "durable", "answer_wait", "write"};

    @Test
    void everyStageOfEverySampledRedirectIsInMetricsAndTheyAddUpToTheTotal() throws Exception {
        try (RouterHarness router =
                new RouterHarness(Map.of("CLICK_TIMELINE_SAMPLE", "1"), java.time.Clock.systemUTC())) {
            router.seed("timeline", "https://shop.example/", null);
            router.awaitCached("timeline");
            int clicks = 25;
            for (int i = 0; i < clicks; i++) {
                HttpResponse<String> redirect = router.get("/r/timeline");
                assertThat(redirect.statusCode()).isEqualTo(302);
            }
            String metrics = router.get("/metrics").body();
            double stagesSum = 0;
            for (String stage : STAGES) {
                assertThat(sample(metrics, "clickledger_click_stage_seconds_count", stage))
                        .as("clicks timed in stage %s", stage)
                        .isEqualTo(clicks);
                stagesSum += sample(metrics, "clickledger_click_stage_seconds_sum", stage);
            }
            double total = sample(metrics, "clickledger_click_stage_seconds_sum", "total");
            assertThat(sample(metrics, "clickledger_click_stage_seconds_count", "total"))
                    .isEqualTo(clicks);
            assertThat(sample(metrics, "clickledger_click_stage_seconds_sum", "durable"))
                    .as("a commit takes time")
                    .isPositive();
            assertThat(stagesSum).as("the stages add up to the total").isCloseTo(total, within(total * 0.001));
            assertThat(quantile(metrics, "clickledger_click_stage_seconds", "total", "0.99"))
                    .isPositive();
            // Per batch: sequential requests make one batch each.
            assertThat(plain(metrics, "clickledger_click_batch_answer_seconds_count"))
                    .isGreaterThanOrEqualTo(clicks);
            assertThat(plain(metrics, "clickledger_click_queue_depth_at_take_count"))
                    .isGreaterThanOrEqualTo(clicks);
        }
    }

    @Test
    void zeroTurnsTheTimelineOffAndRedirectsStillWork() throws Exception {
        try (RouterHarness router =
                new RouterHarness(Map.of("CLICK_TIMELINE_SAMPLE", "0"), java.time.Clock.systemUTC())) {
            router.seed("untimed", "https://shop.example/", null);
            router.awaitCached("untimed");
            assertThat(router.get("/r/untimed").statusCode()).isEqualTo(302);
            assertThat(router.get("/metrics").body())
                    .doesNotContain("clickledger_click_stage_seconds")
                    .contains("clickledger_click_batch_answer_seconds_count");
        }
    }

    // The value of NAME{…stage="STAGE"…}.
    private static double sample(String metrics, String name, String stage) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("stage=\"" + stage + "\""))
                .mapToDouble(ClickTimelineTest::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " of stage " + stage + " in /metrics"));
    }

    private static double quantile(String metrics, String name, String stage, String quantile) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{")
                        && line.contains("stage=\"" + stage + "\"")
                        && line.contains("quantile=\"" + quantile + "\""))
                .mapToDouble(ClickTimelineTest::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + quantile + " quantile of " + stage + " in /metrics"));
    }

    private static double plain(String metrics, String name) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(ClickTimelineTest::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
