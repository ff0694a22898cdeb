package clickledger.portal.partner.dashboard;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.MeClient;
import clickledger.portal.api.MyAccount;
import clickledger.portal.api.MyStats;
import clickledger.portal.api.Parallel;
import clickledger.portal.partner.PartnerNav;
import clickledger.portal.web.Chart;
import clickledger.portal.web.DateRange;
import clickledger.portal.web.DateRange.Preset;
import clickledger.portal.web.DimensionTable;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partner's dashboard ({@code /partner}): for a range of UTC days (the last 30 unless chosen)
 * and one program or all of theirs, the clicks, billable clicks, conversions and commissions per
 * day with a chart per program, their clicks by country, device, browser, OS, referrer and utm
 * source and campaign, and what they have earned per currency: pending, approved (due in
 * the next payout), paid and reversed. Everything comes from {@code GET /v1/me} and
 * {@code GET /v1/me/stats} with the partner's own session.
 */
public final class PartnerDashboardRoutes {
    static final String SECTION = "dashboard";

    /**
     * One program's figures over the range, with its logo (a portal path, or null), its two charts
     * and its clicks by dimension.
     */
    public record ProgramBlock(
            MyStats.ProgramStats stats, String logo, Chart traffic, Chart money, List<DimensionTable> breakdowns) {}

    public record PartnerDashboardPage(
            Layout layout,
            MyAccount account,
            List<Option> programs,
            String programId,
            String from,
            String to,
            List<Preset> presets,
            FieldErrors errors,
            MyStats stats,
            List<ProgramBlock> blocks) {
        public boolean hasStats() {
            return stats != null;
        }
    }

    private final Pages pages;
    private final MeClient me;
    private final Clock clock;

    public PartnerDashboardRoutes(Pages pages, MeClient me, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.me = requireNonNull(me, "me is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(PartnerNav.ROOT, this::show);
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        DateRange range = DateRange.of(ctx, today);
        String programId = Params.text(ctx, "programId");
        Layout layout = pages.layout(ctx, "Dashboard", SECTION);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        List<Preset> presets = DateRange.presets(PartnerNav.ROOT, filters, today);
        MyAccount account;
        MyStats stats;
        Map<String, List<MyStats.Split>> splits = new LinkedHashMap<>();
        try {
            LocalDate from = range.fromDate();
            LocalDate to = range.toDate();
            // The days, then the partner's own clicks by each dimension, side by side.
            List<String> calls = new ArrayList<>(List.of("account", "day"));
            DimensionTable.DASHBOARD.forEach(dimension -> calls.add(dimension.groupBy()));
            List<Object> answers = Parallel.map(calls, what -> switch (what) {
                case "account" -> me.account(caller);
                case "day" -> me.stats(caller, programId, from, to);
                default ->
                    me.stats(
                            caller,
                            programId,
                            from,
                            to,
                            what,
                            DimensionTable.DASHBOARD
                                    .get(calls.indexOf(what) - 2)
                                    .limit());
            });
            account = (MyAccount) answers.get(0);
            stats = (MyStats) answers.get(1);
            for (int i = 0; i < DimensionTable.DASHBOARD.size(); i++) {
                for (MyStats.ProgramStats program : ((MyStats) answers.get(2 + i)).programs()) {
                    if (program.breakdown() != null) {
                        splits.computeIfAbsent(program.programId(), id -> new ArrayList<>())
                                .add(program.breakdown());
                    }
                }
            }
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            account = me.account(caller);
            layout = PartnerNav.withLogo(layout, account, programId);
            pages.render(
                    ctx,
                    400,
                    "partner/dashboard/dashboard.jte",
                    new PartnerDashboardPage(
                            layout,
                            account,
                            PartnerNav.programOptions(account),
                            programId,
                            range.from(),
                            range.to(),
                            presets,
                            FieldErrors.from(e, Set.of("from", "to", "programId")),
                            null,
                            List.of()));
            return;
        }
        layout = PartnerNav.withLogo(layout, account, programId);
        List<ProgramBlock> blocks = new ArrayList<>();
        for (MyStats.ProgramStats program : stats.programs()) {
            List<String> days =
                    program.days().stream().map(day -> day.day().toString()).toList();
            blocks.add(new ProgramBlock(
                    program,
                    account.programLogo(program.programId()),
                    new Chart(
                            "traffic-" + program.programId(),
                            "Clicks and conversions per day, " + program.programName(),
                            days,
                            List.of(
                                    Chart.counts("Clicks", program.days(), MyStats.Day::clicks),
                                    Chart.counts("Billable clicks", program.days(), MyStats.Day::billableClicks),
                                    Chart.counts("Conversions", program.days(), MyStats.Day::conversions))),
                    new Chart(
                            "money-" + program.programId(),
                            "Commissions per day, " + program.programName() + " (" + program.currency() + ")",
                            days,
                            List.of(Chart.money(
                                    "Commissions", program.currency(), program.days(), MyStats.Day::commissions))),
                    tables(program.programId(), splits.getOrDefault(program.programId(), List.of()), layout)));
        }
        pages.render(
                ctx,
                "partner/dashboard/dashboard.jte",
                new PartnerDashboardPage(
                        layout,
                        account,
                        PartnerNav.programOptions(account),
                        programId,
                        stats.from().toString(),
                        stats.to().toString(),
                        presets,
                        FieldErrors.none(),
                        stats,
                        blocks));
    }

    /** A program's tables in the dashboard's order, from the splits the api answered. */
    private static List<DimensionTable> tables(String programId, List<MyStats.Split> splits, Layout layout) {
        List<DimensionTable> tables = new ArrayList<>();
        for (DimensionTable.Dimension dimension : DimensionTable.DASHBOARD) {
            splits.stream()
                    .filter(split -> dimension.groupBy().equals(split.groupBy()))
                    .findFirst()
                    .ifPresent(split -> tables.add(DimensionTable.of(
                            dimension,
                            "program-" + programId + "-",
                            split.rows(),
                            split.unknown(),
                            split.other(),
                            layout.fmt().locale())));
        }
        return tables;
    }
}
