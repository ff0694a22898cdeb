package clickledger.api.maintenance;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * {@code clickledger_click_partition_bytes{partition,state}} and
 * {@code clickledger_click_partition_age_days{partition,state}} (days since the month ended; 0
 * for the current and future months), refreshed with each maintenance run, so a dashboard shows
 * what retention would free and an alert can catch a month that was detached but never archived.
 */
public final class PartitionMetrics {
    private final DSLContext dsl;
    private final Clock clock;
    private final MultiGauge bytes;
    private final MultiGauge age;

    public PartitionMetrics(DSLContext dsl, Clock clock, MeterRegistry registry) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.bytes = MultiGauge.builder("clickledger_click_partition_bytes")
                .description("size of each monthly click partition, indexes included")
                .baseUnit("bytes")
                .register(registry);
        this.age = MultiGauge.builder("clickledger_click_partition_age_days")
                .description("days since the partition's month ended")
                .register(registry);
    }

    public void refresh() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<MultiGauge.Row<?>> sizes = new ArrayList<>();
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        for (Record row : dsl.fetch(
                """
                select c.relname, pg_total_relation_size(c.oid),
                    case when i.inhrelid is null then 'detached' else 'attached' end
                from pg_class c
                join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
                left join pg_inherits i on i.inhrelid = c.oid
                where c.relkind = 'r' and c.relname ~ '^click_y[0-9]{4}m[0-9]{2}$'
                   or c.relname = 'click_default'""")) {
            String name = row.get(0, String.class);
            Tags tags = Tags.of("partition", name, "state", row.get(2, String.class));
            sizes.add(MultiGauge.Row.of(tags, row.get(1, Long.class)));
            if (name.startsWith("click_y")) {
                LocalDate end = LocalDate.of(
                                Integer.parseInt(name.substring(7, 11)), Integer.parseInt(name.substring(12, 14)), 1)
                        .plusMonths(1);
                ages.add(MultiGauge.Row.of(
                        tags,
                        Math.max(
                                0,
                                Duration.between(end.atStartOfDay(), today.atStartOfDay())
                                        .toDays())));
            }
        }
        bytes.register(sizes, true);
        age.register(ages, true);
    }
}
