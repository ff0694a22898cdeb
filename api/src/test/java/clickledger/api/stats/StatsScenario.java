package clickledger.api.stats;

import java.time.Instant;
import java.util.UUID;

/**
 * A program with three months of clicks, events, attribution and commissions, and the figures
 * worked out by hand that {@code StatsRoutesTest} expects of it.
 *
 * <pre>
 * clicks (link, visitor)            clicks billable visitors(link/partner/program grain)
 * 2030-01-10 A1: x, x, y(bot)          3      2      A1 1
 *            A2: x                     1      1      A2 1   partner A 1 (x twice)
 *            B1: x(flagged), z         2      1      B1 2   partner B 2   program 2 (x, z)
 * 2030-02-20 A1: w, w(flagged)         2      1      A1 1   partner A 1
 *            B1: w(bot)                1      0      B1 0   partner B 0   program 1
 * 2030-03-05 B1: p, q, r, s            4      4      B1 4   partner B 4   program 4
 *                                     13      9      program 7, partner A 2, partner B 6
 *
 * events                       value   credited to                commissions (status)
 * E1 2030-01-12                100.00  A1 100.00                  A 10.00 (paid)
 * E2 2030-02-21                 50.00  A1 25.00, B1 25.00         A 2.50, B 2.50 (pending)
 * E6 2030-02-25                 20.00  A2 20.00                   A 2.00 and its reversal (both reversed)
 * E7 2030-02-26 refund of E6    20.00  -                          -
 * E3 2030-03-06                 30.00  B1 15.00 + B1 15.00        B 3.00 (approved), B 1.00 (rejected)
 * E5 2030-03-08 no_identity     70.00  -                          -
 * E4 2030-03-10 refund of E1   100.00  -                          A -10.00 (reversal of E1's, approved)
 * E0 2029-12-31 (before range)  40.00  A1 40.00                   A 4.00
 * </pre>
 *
 * Conversions 4 (E1 E2 E6 E3), revenue 200.00, commissions 10 + 2.50 + 2.50 + 3 - 10 = 8.00.
 */
record StatsScenario(
        UUID program, UUID partnerA, UUID partnerB, StatsSeed.Link a1, StatsSeed.Link a2, StatsSeed.Link b1) {

    static StatsScenario seed(StatsSeed seed) {
        UUID program = seed.program("USD");
        UUID partnerA = seed.partner();
        UUID partnerB = seed.partner();
        StatsSeed.Link a1 = seed.link(program, partnerA);
        StatsSeed.Link a2 = seed.link(program, partnerA);
        StatsSeed.Link b1 = seed.link(program, partnerB);
        int x = 1;
        int y = 2;
        int z = 3;
        int w = 4;
        seed.click(a1, "2030-01-10T08:00:00Z", x);
        seed.click(a1, "2030-01-10T09:00:00Z", x);
        seed.click(a1, Instant.parse("2030-01-10T09:30:00Z"), y, true, null);
        seed.click(a2, "2030-01-10T10:00:00Z", x);
        seed.click(b1, Instant.parse("2030-01-10T11:00:00Z"), x, false, "burst");
        seed.click(b1, "2030-01-10T23:59:59.999Z", z);
        seed.click(a1, "2030-02-20T00:00:00Z", w);
        seed.click(a1, Instant.parse("2030-02-20T00:00:01Z"), w, false, "burst");
        seed.click(b1, Instant.parse("2030-02-20T12:00:00Z"), w, true, null);
        for (int visitor = 10; visitor < 14; visitor++) {
            seed.click(b1, "2030-03-05T12:00:00Z", visitor);
        }
        // Outside the range: the day before it and the day after it.
        seed.click(a1, "2029-12-31T23:59:59Z", x);
        seed.click(b1, "2030-04-01T00:00:00Z", z);

        UUID e0 = seed.conversion(program, "2029-12-31T12:00:00Z", 4000, "USD");
        seed.commission(e0, seed.attribution(e0, a1, "1", 4000), a1, 400, "USD", "approved");

        UUID e1 = seed.conversion(program, "2030-01-12T12:00:00Z", 10000, "USD");
        UUID e1a1 = seed.attribution(e1, a1, "1", 10000);
        UUID e1Commission = seed.commission(e1, e1a1, a1, 1000, "USD", "paid");

        UUID e2 = seed.conversion(program, "2030-02-21T12:00:00Z", 5000, "USD");
        seed.commission(e2, seed.attribution(e2, a1, "0.5", 2500), a1, 250, "USD", "pending");
        seed.commission(e2, seed.attribution(e2, b1, "0.5", 2500), b1, 250, "USD", "pending");

        UUID e6 = seed.conversion(program, "2030-02-25T12:00:00Z", 2000, "USD");
        UUID e6a2 = seed.attribution(e6, a2, "1", 2000);
        UUID e6Commission = seed.commission(e6, e6a2, a2, 200, "USD", "reversed");
        UUID e7 = seed.event(program, Instant.parse("2030-02-26T12:00:00Z"), 2000, "USD", "refund", e6);
        seed.commission(e7, e6a2, a2, -200, "USD", "reversed", "reversal", e6Commission);

        UUID e3 = seed.conversion(program, "2030-03-06T12:00:00Z", 3000, "USD");
        UUID e3first = seed.attribution(e3, b1, "0.5", 1500);
        seed.attribution(e3, b1, "0.5", 1500);
        seed.commission(e3, e3first, b1, 300, "USD", "approved");
        seed.commission(e3, e3first, b1, 100, "USD", "rejected");

        seed.event(program, Instant.parse("2030-03-08T12:00:00Z"), 7000, "USD", "no_identity", null);
        UUID e4 = seed.event(program, Instant.parse("2030-03-10T12:00:00Z"), 10000, "USD", "refund", e1);
        seed.commission(e4, e1a1, a1, -1000, "USD", "approved", "reversal", e1Commission);

        // Another program's figures never leak in.
        UUID other = seed.program("USD");
        StatsSeed.Link otherLink = seed.link(other, partnerA);
        seed.click(otherLink, "2030-01-10T08:00:00Z", x);
        UUID otherEvent = seed.conversion(other, "2030-01-12T12:00:00Z", 999, "USD");
        seed.commission(otherEvent, seed.attribution(otherEvent, otherLink, "1", 999), otherLink, 99, "USD", "paid");

        return new StatsScenario(program, partnerA, partnerB, a1, a2, b1);
    }
}
