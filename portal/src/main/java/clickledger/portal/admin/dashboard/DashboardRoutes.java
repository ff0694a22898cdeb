package clickledger.portal.admin.dashboard;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Breakdown;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Link;
import clickledger.portal.api.LiveStats;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Partner;
import clickledger.portal.api.Program;
import clickledger.portal.api.Stats;
import clickledger.portal.web.Chart;
import clickledger.portal.web.DateRange;
import clickledger.portal.web.DateRange.Preset;
import clickledger.portal.web.DimensionTable;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Params;
import clickledger.portal.web.Viewer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard of one program over a range of days (the last 30 unless chosen): totals, a chart
 * per day of clicks, billable clicks and conversions and one of revenue and commissions, the top
 * partners and links, the clicks by country, device, browser, OS, referrer and utm source and
 * campaign (tables: a value, its clicks and share), and the live click counter. Every figure comes from {@code /v1/stats}; the
 * calls run side by side so the page waits for the slowest, not the sum.
 */
public final class DashboardRoutes {
    static final String SECTION = "dashboard";
    static final int TOP = 5;

    /** A top partner or link: its name and its figures over the range. */
    public record TopRow(String id, String label, String href, Stats.Figures figures) {}

    public record DashboardPage(
            Layout layout,
            List<Option> programs,
            Program program,
            String from,
            String to,
            List<Preset> presets,
            FieldErrors errors,
            Stats days,
            Chart traffic,
            Chart money,
            List<TopRow> topPartners,
            List<TopRow> topLinks,
            List<DimensionTable> breakdowns,
            LiveStats live) {

        /** The page without figures: no program yet, or dates the api refused. */
        static DashboardPage withoutFigures(
                Layout layout,
                List<Option> programs,
                Program program,
                String from,
                String to,
                List<Preset> presets,
                FieldErrors errors) {
            return new DashboardPage(
                    layout, programs, program, from, to, presets, errors, null, null, null, List.of(), List.of(),
                    List.of(), null);
        }

        public boolean hasProgram() {
            return program != null;
        }

        public boolean hasStats() {
            return days != null;
        }
    }

    private final Pages pages;
    private final Api api;
    private final LiveCounters live;
    private final Clock clock;

    public DashboardRoutes(Pages pages, Api api, LiveCounters live, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
        this.live = requireNonNull(live, "live is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/", this::show);
        routes.sse("/programs/{id}/live", client -> {
            Viewer viewer = Pages.viewer(client.ctx());
            client.keepAlive();
            try {
                live.subscribe(
                        client, viewer.caller(), viewer.locale(), client.ctx().pathParam("id"));
            } catch (ApiProblem e) {
                client.close();
            }
        });
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        DateRange range = DateRange.of(ctx, today);
        String from = range.from();
        String to = range.to();
        String programId = Params.text(ctx, "programId");
        Layout layout = pages.layout(ctx, "Dashboard", SECTION);
        List<Program> programs;
        Loaded loaded;
        try {
            if (programId == null) {
                // The newest program unless one is chosen: its id is needed before its figures.
                programs = api.programs().all(caller);
                loaded = programs.isEmpty()
                        ? null
                        : load(
                                caller,
                                programs.getFirst().id(),
                                from,
                                to,
                                layout.fmt().locale());
            } else {
                // One round trip fewer: the menu of programs and the figures at once.
                String chosenId = programId;
                String fromDate = from;
                String toDate = to;
                Locale locale = layout.fmt().locale();
                var both = Parallel.both(
                        () -> api.programs().all(caller), () -> load(caller, chosenId, fromDate, toDate, locale));
                programs = both.first();
                loaded = both.second();
            }
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            programs = api.programs().all(caller);
            Program chosen = chosen(caller, programs, programId);
            pages.render(
                    ctx,
                    400,
                    "admin/dashboard/dashboard.jte",
                    DashboardPage.withoutFigures(
                            layout,
                            options(programs),
                            chosen,
                            from,
                            to,
                            presets(chosen.id(), today),
                            FieldErrors.from(e, Set.of("from", "to"))));
            return;
        }
        Program program = chosen(caller, programs, programId);
        if (program == null) {
            pages.render(
                    ctx,
                    "admin/dashboard/dashboard.jte",
                    DashboardPage.withoutFigures(
                            layout, options(programs), null, from, to, List.of(), FieldErrors.none()));
            return;
        }
        Stats days = loaded.days();
        List<String> dayKeys = days.rows().stream().map(Stats.Figures::key).toList();
        Chart traffic = new Chart(
                "traffic",
                "Clicks and conversions per day",
                dayKeys,
                List.of(
                        Chart.counts("Clicks", days.rows(), Stats.Figures::clicks),
                        Chart.counts("Billable clicks", days.rows(), Stats.Figures::billableClicks),
                        Chart.counts("Conversions", days.rows(), Stats.Figures::conversions)));
        Chart money = new Chart(
                "money",
                "Revenue and commissions per day (" + days.currency() + ")",
                dayKeys,
                List.of(
                        Chart.money("Revenue", days.currency(), days.rows(), Stats.Figures::revenue),
                        Chart.money("Commissions", days.currency(), days.rows(), Stats.Figures::commissions)));
        pages.render(
                ctx,
                "admin/dashboard/dashboard.jte",
                new DashboardPage(
                        layout,
                        options(programs),
                        program,
                        from,
                        to,
                        presets(program.id(), today),
                        FieldErrors.none(),
                        days,
                        traffic,
                        money,
                        loaded.topPartners(),
                        loaded.topLinks(),
                        loaded.breakdowns(),
                        loaded.live()));
    }

    /** The program asked for (beyond the menu's first hundred, fetched), else the newest; null when none exists. */
    private Program chosen(Caller caller, List<Program> programs, String programId) {
        if (programId == null) {
            return programs.isEmpty() ? null : programs.getFirst();
        }
        return programs.stream()
                .filter(program -> program.id().equals(programId))
                .findFirst()
                .orElseGet(() -> api.programs().get(caller, programId));
    }

    private static List<Option> options(List<Program> programs) {
        return programs.stream()
                .map(program -> new Option(program.id(), program.name()))
                .toList();
    }

    private record Loaded(
            Stats days,
            List<TopRow> topPartners,
            List<TopRow> topLinks,
            List<DimensionTable> breakdowns,
            LiveStats live) {}

    private Loaded load(Caller caller, String programId, String from, String to, Locale locale) {
        LocalDate fromDate = DateRange.day("from", from);
        LocalDate toDate = DateRange.day("to", to);
        List<String> calls = new ArrayList<>(List.of("day", "partner", "link", "live"));
        DimensionTable.DASHBOARD.forEach(dimension -> calls.add(dimension.groupBy()));
        List<Object> answers = Parallel.map(calls, what -> switch (what) {
            case "live" -> liveOrNothing(caller, programId);
            case "day", "partner", "link" ->
                api.stats().stats(caller, programId, fromDate, toDate, what, what.equals("day") ? 0 : TOP);
            default ->
                api.stats()
                        .breakdown(
                                caller,
                                programId,
                                fromDate,
                                toDate,
                                what,
                                DimensionTable.DASHBOARD
                                        .get(calls.indexOf(what) - 4)
                                        .limit());
        });
        List<DimensionTable> breakdowns = new ArrayList<>();
        for (int i = 0; i < DimensionTable.DASHBOARD.size(); i++) {
            Breakdown breakdown = (Breakdown) answers.get(4 + i);
            breakdowns.add(DimensionTable.of(
                    DimensionTable.DASHBOARD.get(i),
                    "",
                    breakdown.rows(),
                    breakdown.unknown(),
                    breakdown.other(),
                    locale));
        }
        Stats days = (Stats) answers.get(0);
        List<Stats.Figures> partnerRows = top(((Stats) answers.get(1)).rows());
        List<Stats.Figures> linkRows = top(((Stats) answers.get(2)).rows());
        var names = Parallel.both(
                () -> api.partners()
                        .byIds(
                                caller,
                                partnerRows.stream().map(Stats.Figures::key).toList()),
                () -> api.links()
                        .byIds(caller, linkRows.stream().map(Stats.Figures::key).toList()));
        Map<String, Partner> partners = names.first();
        Map<String, Link> links = names.second();
        List<TopRow> topPartners = new ArrayList<>();
        for (Stats.Figures row : partnerRows) {
            Partner partner = partners.get(row.key());
            topPartners.add(
                    new TopRow(row.key(), partner == null ? row.key() : partner.name(), "/partners/" + row.key(), row));
        }
        List<TopRow> topLinks = new ArrayList<>();
        for (Stats.Figures row : linkRows) {
            Link link = links.get(row.key());
            topLinks.add(new TopRow(row.key(), link == null ? row.key() : link.slug(), "/links/" + row.key(), row));
        }
        return new Loaded(days, topPartners, topLinks, breakdowns, (LiveStats) answers.get(3));
    }

    /** The counter is a nicety: without it (an api that cannot say) the dashboard still shows. */
    private LiveStats liveOrNothing(Caller caller, String programId) {
        try {
            return live.latest(caller, programId);
        } catch (ApiProblem e) {
            if (e.unauthorized()) {
                throw e;
            }
            return null;
        }
    }

    /** The api sorts grouped rows busiest first and cuts them at the limit asked; this only guards it. */
    private static List<Stats.Figures> top(List<Stats.Figures> rows) {
        return rows.size() <= TOP ? rows : rows.subList(0, TOP);
    }

    private static List<Preset> presets(String programId, LocalDate today) {
        return DateRange.presets("/", Map.of("programId", programId), today);
    }
}
