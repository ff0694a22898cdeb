package clickledger.api.maintenance;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.db.partition.PartitionMaintenance;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** A month of clicks long past the retention of the tests that archive it. */
public final class OldClicks {
    /**
     * @param table the month's partition ({@code click_y2029m08})
     * @param program and {@code partner}: whose clicks they are, for clicks the test adds itself
     */
    public record Month(String table, Ledger ledger, String program, Ledger.Partner partner) {}

    private OldClicks() {}

    /** Makes the partitions from {@code monthsBack} months ago to now and puts {@code clicks} clicks in the oldest. */
    public static Month month(TestApi api, int monthsBack, int clicks) {
        Ledger ledger = new Ledger(api);
        String program = ledger.program("USD", "last_click", "[]");
        Ledger.Partner partner = ledger.partner(program);
        YearMonth now = YearMonth.from(api.clock().instant().atOffset(ZoneOffset.UTC));
        YearMonth old = now.minusMonths(monthsBack);
        PartitionMaintenance.ensureMonths(api.dsl(), old, now);
        for (int i = 0; i < clicks; i++) {
            ledger.click(program, partner, old.atDay(2 + i).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        return new Month(PartitionMaintenance.partitionName(old), ledger, program, partner);
    }
}
