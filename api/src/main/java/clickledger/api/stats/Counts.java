package clickledger.api.stats;

/**
 * The figures of one stats row, money in minor units of the program's currency.
 *
 * @param uniqueVisitors distinct visitors per day at the row's grain, summed over the days
 * @param commissionsMinor net: reversals and adjustments are negative, so this can be below zero
 */
record Counts(
        long clicks,
        long billableClicks,
        long uniqueVisitors,
        long conversions,
        long revenueMinor,
        long commissionsMinor) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    static Counts clicks(long clicks, long billableClicks, long uniqueVisitors) {
        return new Counts(clicks, billableClicks, uniqueVisitors, 0, 0, 0);
    }

    static Counts conversions(long conversions, long revenueMinor) {
        return new Counts(0, 0, 0, conversions, revenueMinor, 0);
    }

    static Counts commissions(long commissionsMinor) {
        return new Counts(0, 0, 0, 0, 0, commissionsMinor);
    }

    /** Only the money: conversions, revenue and commissions. */
    Counts withoutClicks() {
        return new Counts(0, 0, 0, conversions, revenueMinor, commissionsMinor);
    }

    Counts negated() {
        return new Counts(-clicks, -billableClicks, -uniqueVisitors, -conversions, -revenueMinor, -commissionsMinor);
    }

    Counts plus(Counts other) {
        return new Counts(
                clicks + other.clicks,
                billableClicks + other.billableClicks,
                uniqueVisitors + other.uniqueVisitors,
                conversions + other.conversions,
                revenueMinor + other.revenueMinor,
                commissionsMinor + other.commissionsMinor);
    }
}
