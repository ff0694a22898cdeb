package clickledger.api.attribution;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Largest-remainder (Hamilton) apportionment of an integer amount: every part is the floor of its
 * exact share, and the units left over go to the largest fractional remainders, ties to the
 * earlier index (touches are ordered by click time, then id). The parts always add up to the
 * whole, and the result depends only on its inputs.
 */
public final class Split {
    private Split() {}

    /** @param proportions non-negative, not all zero; need not sum to 1 */
    public static long[] largestRemainder(long total, BigDecimal[] proportions) {
        int n = proportions.length;
        long[] parts = new long[n];
        if (n == 0) {
            return parts;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (BigDecimal proportion : proportions) {
            if (proportion.signum() < 0) {
                throw new IllegalArgumentException("negative proportion");
            }
            sum = sum.add(proportion);
        }
        if (sum.signum() == 0) {
            throw new IllegalArgumentException("proportions are all zero");
        }
        long magnitude = Math.abs(total);
        BigDecimal[] remainders = new BigDecimal[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            BigDecimal exact =
                    BigDecimal.valueOf(magnitude).multiply(proportions[i]).divide(sum, 40, RoundingMode.HALF_EVEN);
            BigInteger floor = exact.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
            parts[i] = floor.longValueExact();
            remainders[i] = exact.subtract(new BigDecimal(floor));
            assigned += parts[i];
        }
        long left = magnitude - assigned;
        while (left > 0) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (proportions[i].signum() > 0 && (best < 0 || remainders[i].compareTo(remainders[best]) > 0)) {
                    best = i;
                }
            }
            parts[best]++;
            remainders[best] = remainders[best].subtract(BigDecimal.ONE);
            left--;
        }
        if (total < 0) {
            for (int i = 0; i < n; i++) {
                parts[i] = -parts[i];
            }
        }
        return parts;
    }
}
