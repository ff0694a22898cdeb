package clickledger.db.partition;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps monthly partitions of {@code click} ahead of time (the current month and the next
 * {@code monthsAhead}) and detaches months older than the retention setting. Runs at every start
 * and daily; an advisory transaction lock makes concurrent runs from several processes harmless.
 */
public final class PartitionMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintenance.class);
    private static final long LOCK_KEY = 0x636c69636b5f7061L; // "click_pa"
    private static final Pattern PARTITION_NAME = Pattern.compile("click_y(\\d{4})m(\\d{2})");

    private final DSLContext dsl;
    private final Clock clock;
    private final int monthsAhead;
    private final int retentionMonths;

    /** @param retentionMonths detach months older than this many; 0 keeps every month attached */
    public PartitionMaintenance(DSLContext dsl, Clock clock, int monthsAhead, int retentionMonths) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.monthsAhead = monthsAhead;
        this.retentionMonths = retentionMonths;
    }

    public record Result(List<String> created, List<String> detached, boolean skipped) {}

    public static String partitionName(YearMonth month) {
        return "click_y%04dm%02d".formatted(month.getYear(), month.getMonthValue());
    }

    public Result run() {
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            Boolean locked = tx.select(DSL.field("pg_try_advisory_xact_lock({0})", Boolean.class, LOCK_KEY))
                    .fetchOne(0, Boolean.class);
            if (!Boolean.TRUE.equals(locked)) {
                return new Result(List.of(), List.of(), true);
            }
            YearMonth now = YearMonth.from(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
            List<String> attached = attachedPartitions(tx);
            List<String> created = new ArrayList<>();
            for (int i = 0; i <= monthsAhead; i++) {
                YearMonth month = now.plusMonths(i);
                String name = partitionName(month);
                if (!attached.contains(name)) {
                    create(tx, month);
                    created.add(name);
                }
            }
            List<String> detached = new ArrayList<>();
            if (retentionMonths > 0) {
                YearMonth oldestKept = now.minusMonths(retentionMonths);
                for (String name : attached) {
                    Matcher m = PARTITION_NAME.matcher(name);
                    if (m.matches()
                            && YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
                                    .isBefore(oldestKept)) {
                        tx.execute("alter table click detach partition " + name);
                        detached.add(name);
                    }
                }
            }
            if (!created.isEmpty() || !detached.isEmpty()) {
                LOG.atInfo()
                        .addKeyValue("created", created)
                        .addKeyValue("detached", detached)
                        .log("click partitions maintained");
            }
            return new Result(created, detached, false);
        });
    }

    /**
     * Makes sure every month from {@code first} to {@code last} has its partition, in the caller's
     * transaction: an import of old clicks lands in monthly partitions, which retention can then
     * detach, instead of piling up in the default one. Answers the partitions it created.
     */
    public static List<String> ensureMonths(DSLContext tx, YearMonth first, YearMonth last) {
        tx.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, LOCK_KEY))
                .fetch();
        List<String> attached = attachedPartitions(tx);
        List<String> created = new ArrayList<>();
        for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
            if (!attached.contains(partitionName(month))) {
                create(tx, month);
                created.add(partitionName(month));
            }
        }
        return created;
    }

    /** Monthly click tables that are no longer partitions of click: detached by retention. */
    public static List<String> detachedMonths(java.sql.Connection connection) throws java.sql.SQLException {
        List<String> names = new ArrayList<>();
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        """
                        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where n.nspname = current_schema() and c.relkind = 'r' and c.relname ~ '^click_y[0-9]{4}m[0-9]{2}$'
                          and not exists (select 1 from pg_inherits i where i.inhrelid = c.oid)
                        order by 1""")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    public static List<String> attachedPartitions(DSLContext dsl) {
        return dsl.fetch(
                        """
                        select c.relname from pg_inherits i
                        join pg_class c on c.oid = i.inhrelid
                        join pg_class p on p.oid = i.inhparent
                        where p.relname = 'click' order by c.relname""")
                .getValues(0, String.class);
    }

    /**
     * Creates the month standalone, moves any rows the default partition caught for that month,
     * then attaches it: a plain CREATE ... PARTITION OF would fail if the default held such rows.
     */
    private static void create(DSLContext tx, YearMonth month) {
        String name = partitionName(month);
        OffsetDateTime from = month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime to = month.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        String range = "ts >= '" + from + "' and ts < '" + to + "'";
        tx.execute("create table if not exists " + name + " (like click including defaults including constraints)");
        tx.execute("with moved as (delete from click_default where " + range + " returning *) " + "insert into " + name
                + " select * from moved");
        tx.execute(
                "alter table click attach partition " + name + " for values from ('" + from + "') to ('" + to + "')");
    }
}
