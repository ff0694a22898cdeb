package clickledger.api.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.program.AttributionModel;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WeightsAndSplitTest {
    private static final Instant EVENT = Instant.parse("2030-03-01T12:00:00Z");

    private static List<Touch> touches(int... daysBefore) {
        List<Touch> touches = new ArrayList<>();
        for (int i = 0; i < daysBefore.length; i++) {
            touches.add(new Touch(
                    new UUID(0, i), EVENT.minus(Duration.ofDays(daysBefore[i])), new UUID(1, i), new UUID(2, i)));
        }
        return touches;
    }

    private static List<String> weights(AttributionModel model, List<Touch> touches) {
        return Arrays.stream(Weights.of(model, touches, EVENT))
                .map(w -> w.stripTrailingZeros().toPlainString())
                .toList();
    }

    @Test
    void singleTouchGetsEverythingUnderEveryModel() {
        for (AttributionModel model : AttributionModel.values()) {
            assertThat(weights(model, touches(3))).as(model.wire()).containsExactly("1");
        }
    }

    @Test
    void lastAndFirstClick() {
        assertThat(weights(AttributionModel.LAST_CLICK, touches(9, 5, 1))).containsExactly("0", "0", "1");
        assertThat(weights(AttributionModel.FIRST_CLICK, touches(9, 5, 1))).containsExactly("1", "0", "0");
    }

    @Test
    void linearSplitsEvenlyAndSumsToExactlyOne() {
        assertThat(weights(AttributionModel.LINEAR, touches(9, 5, 1)))
                .containsExactly("0.3333333334", "0.3333333333", "0.3333333333");
    }

    @Test
    void positionGivesFortyTwentyFortyAndFiftyFiftyForTwo() {
        assertThat(weights(AttributionModel.POSITION, touches(9, 1))).containsExactly("0.5", "0.5");
        assertThat(weights(AttributionModel.POSITION, touches(9, 5, 1))).containsExactly("0.4", "0.2", "0.4");
        assertThat(weights(AttributionModel.POSITION, touches(9, 6, 5, 1))).containsExactly("0.4", "0.1", "0.1", "0.4");
    }

    @Test
    void timeDecayHalvesEverySevenDays() {
        BigDecimal[] weights = Weights.of(AttributionModel.TIME_DECAY, touches(14, 7, 0), EVENT);
        // Raw 0.25 : 0.5 : 1, normalised by 1.75.
        assertThat(weights[0].doubleValue()).isCloseTo(0.25 / 1.75, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(weights[1].doubleValue()).isCloseTo(0.5 / 1.75, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Arrays.stream(weights).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("1");
    }

    @Test
    void largestRemainderBreaksTiesTowardsTheEarlierTouch() {
        BigDecimal third = BigDecimal.ONE;
        assertThat(Split.largestRemainder(10_000, new BigDecimal[] {third, third, third}))
                .containsExactly(3334, 3333, 3333);
        assertThat(Split.largestRemainder(2, new BigDecimal[] {third, third, third}))
                .containsExactly(1, 1, 0);
        assertThat(Split.largestRemainder(-100, new BigDecimal[] {third, third, third}))
                .containsExactly(-34, -33, -33);
    }

    @Test
    void splitsAlwaysAddUpToTheWhole() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            int n = 1 + random.nextInt(12);
            BigDecimal[] proportions = new BigDecimal[n];
            for (int i = 0; i < n; i++) {
                proportions[i] = BigDecimal.valueOf(random.nextInt(1_000) + 1, random.nextInt(4));
            }
            long total = random.nextLong(10_000_000_000L);
            long[] parts = Split.largestRemainder(total, proportions);
            assertThat(Arrays.stream(parts).sum()).isEqualTo(total);
            assertThat(Arrays.stream(parts).allMatch(part -> part >= 0)).isTrue();
        }
    }
}
