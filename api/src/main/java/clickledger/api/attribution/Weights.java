package clickledger.api.attribution;

import clickledger.api.program.AttributionModel;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Credit weights per touch under each model (SPEC "Attribution and commissions"). Touches come
 * ordered by click time, then id; the weights are exact decimals that sum to exactly 1, so what
 * is stored adds up, and they are only ever used as proportions for a largest-remainder split.
 */
public final class Weights {
    /** Precision of stored weights: numeric(12, 10). */
    public static final int SCALE = 10;

    static final Duration HALF_LIFE = Duration.ofDays(7);
    private static final MathContext CONTEXT = MathContext.DECIMAL64;

    private Weights() {}

    public static BigDecimal[] of(AttributionModel model, List<Touch> touches, Instant eventTs) {
        int n = touches.size();
        BigDecimal[] raw = new BigDecimal[n];
        if (n == 0) {
            return raw;
        }
        java.util.Arrays.fill(raw, BigDecimal.ZERO);
        switch (model) {
            case LAST_CLICK -> raw[n - 1] = BigDecimal.ONE;
            case FIRST_CLICK -> raw[0] = BigDecimal.ONE;
            case LINEAR -> java.util.Arrays.fill(raw, BigDecimal.ONE);
            case POSITION -> {
                if (n == 1) {
                    raw[0] = BigDecimal.ONE;
                } else if (n == 2) {
                    raw[0] = BigDecimal.ONE;
                    raw[1] = BigDecimal.ONE;
                } else {
                    // 40 % first, 40 % last, 20 % shared by the middle.
                    raw[0] = new BigDecimal("0.4");
                    raw[n - 1] = new BigDecimal("0.4");
                    BigDecimal middle = new BigDecimal("0.2").divide(BigDecimal.valueOf(n - 2L), CONTEXT);
                    for (int i = 1; i < n - 1; i++) {
                        raw[i] = middle;
                    }
                }
            }
            case TIME_DECAY -> {
                // Credit halves for every 7 days between click and conversion.
                double halfLifeMillis = HALF_LIFE.toMillis();
                for (int i = 0; i < n; i++) {
                    double ageMillis = Math.max(
                            0,
                            Duration.between(touches.get(i).clickTs(), eventTs).toMillis());
                    raw[i] = new BigDecimal(Math.pow(0.5, ageMillis / halfLifeMillis), CONTEXT);
                }
            }
        }
        return normalise(raw);
    }

    /** Scales to sum 1 at {@link #SCALE} decimals, giving rounding leftovers to the largest remainders. */
    static BigDecimal[] normalise(BigDecimal[] raw) {
        long unit = BigDecimal.ONE.movePointRight(SCALE).longValueExact();
        long[] parts = Split.largestRemainder(unit, raw);
        BigDecimal[] weights = new BigDecimal[raw.length];
        for (int i = 0; i < raw.length; i++) {
            weights[i] = BigDecimal.valueOf(parts[i], SCALE);
        }
        return weights;
    }
}
