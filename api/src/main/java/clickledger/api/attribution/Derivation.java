package clickledger.api.attribution;

import clickledger.api.commission.CommissionRule;
import clickledger.api.program.AttributionModel;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Attribution and commissions as a pure function of one event, the user's candidate clicks, the
 * program's settings and the partner's commission history. Events, identify backfill and
 * re-derivation all call this one function, so they cannot disagree.
 */
public final class Derivation {
    public enum Status {
        ATTRIBUTED,
        NO_IDENTITY,
        NO_CLICK,
        OUTSIDE_WINDOW;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the event is: type, value in minor units (0 when it has none) and time. */
    public record EventFacts(String type, long valueMinor, Instant ts) {}

    /** A touch that earned credit: its weight and its share of the event value. */
    public record Credit(Touch touch, BigDecimal weight, long valueMinor) {}

    /** One commission: which credit (touch) it belongs to, which rule made it, how much. */
    public record CommissionLine(int creditIndex, CommissionRule rule, long amountMinor) {}

    public record Result(
            Status status, AttributionModel model, List<Credit> credits, List<CommissionLine> commissions) {}

    /** A partner's earlier commissioned conversions for this user: how many, and the first one's time. */
    public record History(int priorConversions, Instant firstConversion) {
        public static final History NONE = new History(0, null);
    }

    public interface RuleSource {
        List<CommissionRule> rulesFor(UUID partnerId);
    }

    public interface HistorySource {
        History historyFor(UUID partnerId, String eventTypeOrNull);
    }

    private Derivation() {}

    public static Result derive(
            AttributionModel model,
            int lookbackDays,
            EventFacts event,
            List<Touch> candidates,
            RuleSource rules,
            HistorySource history) {
        if (candidates.isEmpty()) {
            return new Result(Status.NO_CLICK, model, List.of(), List.of());
        }
        Instant windowStart = event.ts().minus(Duration.ofDays(lookbackDays));
        List<Touch> touches = candidates.stream()
                .filter(t -> !t.clickTs().isAfter(event.ts()) && !t.clickTs().isBefore(windowStart))
                .sorted(Comparator.comparing(Touch::clickTs).thenComparing(Touch::clickId))
                .toList();
        if (touches.isEmpty()) {
            return new Result(Status.OUTSIDE_WINDOW, model, List.of(), List.of());
        }
        BigDecimal[] weights = Weights.of(model, touches, event.ts());
        List<Touch> credited = new ArrayList<>();
        List<BigDecimal> creditedWeights = new ArrayList<>();
        for (int i = 0; i < touches.size(); i++) {
            if (weights[i].signum() > 0) {
                credited.add(touches.get(i));
                creditedWeights.add(weights[i]);
            }
        }
        BigDecimal[] shares = creditedWeights.toArray(BigDecimal[]::new);
        long[] values = Split.largestRemainder(event.valueMinor(), shares);
        List<Credit> credits = new ArrayList<>();
        for (int i = 0; i < credited.size(); i++) {
            credits.add(new Credit(credited.get(i), shares[i], values[i]));
        }
        return new Result(Status.ATTRIBUTED, model, credits, commissions(event, credits, shares, rules, history));
    }

    /**
     * For each rule, its whole amount on the event is split among all credited touches by weight
     * (largest remainder), and each touch keeps its part when the rule applies to its partner. When
     * every partner shares the program's rules the parts add up exactly to the whole.
     */
    private static List<CommissionLine> commissions(
            EventFacts event, List<Credit> credits, BigDecimal[] shares, RuleSource rules, HistorySource history) {
        List<CommissionLine> lines = new ArrayList<>();
        java.util.Map<CommissionRule, long[]> splits = new java.util.HashMap<>();
        for (int i = 0; i < credits.size(); i++) {
            UUID partnerId = credits.get(i).touch().partnerId();
            for (CommissionRule rule : rules.rulesFor(partnerId)) {
                if (!rule.matchesType(event.type()) || !triggered(rule, partnerId, event, history)) {
                    continue;
                }
                long[] parts = splits.computeIfAbsent(
                        rule, r -> Split.largestRemainder(r.wholeAmount(event.valueMinor()), shares));
                if (parts[i] != 0) {
                    lines.add(new CommissionLine(i, rule, parts[i]));
                }
            }
        }
        return lines;
    }

    private static boolean triggered(CommissionRule rule, UUID partnerId, EventFacts event, HistorySource history) {
        if (rule.trigger() == CommissionRule.Trigger.EVERY && rule.recurringMonths() == null) {
            return true;
        }
        History past = history.historyFor(partnerId, rule.eventType());
        boolean first = past.priorConversions() == 0;
        if (rule.trigger() == CommissionRule.Trigger.FIRST && !first) {
            return false;
        }
        if (rule.trigger() == CommissionRule.Trigger.SUBSEQUENT && first) {
            return false;
        }
        if (rule.recurringMonths() != null && past.firstConversion() != null) {
            Instant until = past.firstConversion()
                    .atOffset(ZoneOffset.UTC)
                    .plusMonths(rule.recurringMonths())
                    .toInstant();
            return event.ts().isBefore(until);
        }
        return true;
    }
}
