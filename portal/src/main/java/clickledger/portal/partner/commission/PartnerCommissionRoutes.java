package clickledger.portal.partner.commission;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.MeClient;
import clickledger.portal.api.MyAccount;
import clickledger.portal.api.MyCommission;
import clickledger.portal.api.Parallel;
import clickledger.portal.partner.PartnerNav;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partner's commissions, newest first: what each earned (the event's type, time and value),
 * its status and the date its holding period ends, and the payout that paid it. Never the
 * merchant's user or event id: the api does not give them to a partner.
 */
public final class PartnerCommissionRoutes {
    static final String SECTION = "commissions";
    static final String ROOT = "/partner/commissions";

    public static final List<Option> STATUSES = Option.of(
            "", "Any status",
            "pending", "Pending",
            "approved", "Approved",
            "paid", "Paid",
            "rejected", "Rejected",
            "reversed", "Reversed");

    public record CommissionsPage(
            Layout layout,
            MyAccount account,
            List<MyCommission> commissions,
            List<Option> programs,
            String programId,
            String status,
            Paging paging) {
        public String programName(String id) {
            return account.programName(id);
        }
    }

    public record CommissionPage(Layout layout, MyCommission commission, String programName) {}

    private final Pages pages;
    private final MeClient me;

    public PartnerCommissionRoutes(Pages pages, MeClient me) {
        this.pages = requireNonNull(pages, "pages is null");
        this.me = requireNonNull(me, "me is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(ROOT, this::list);
        routes.get(ROOT + "/{id}", this::show);
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String status = Params.text(ctx, "status");
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(() -> me.account(caller), () -> me.commissions(caller, programId, status, cursor));
        MyAccount account = loaded.first();
        ListPage<MyCommission> page = loaded.second();
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        filters.put("status", status);
        pages.render(
                ctx,
                "partner/commission/list.jte",
                new CommissionsPage(
                        PartnerNav.withLogo(pages.layout(ctx, "Your commissions", SECTION), account, programId),
                        account,
                        page.items(),
                        PartnerNav.programOptions(account),
                        programId,
                        status,
                        Paging.of(ROOT, filters, cursor == null, page.nextCursor())));
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> me.commission(caller, ctx.pathParam("id")), () -> me.account(caller));
        MyCommission commission = loaded.first();
        pages.render(
                ctx,
                "partner/commission/show.jte",
                new CommissionPage(
                        PartnerNav.withLogo(
                                pages.layout(ctx, "Commission", SECTION), loaded.second(), commission.programId()),
                        commission,
                        loaded.second().programName(commission.programId())));
    }
}
