package clickledger.portal.partner.payout;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.MeClient;
import clickledger.portal.api.MyAccount;
import clickledger.portal.api.MyCommission;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Payout;
import clickledger.portal.api.PayoutDetails;
import clickledger.portal.partner.PartnerNav;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partner's payouts (filled by the payouts issue: each pays a set of approved commissions)
 * with the commissions of each, and where they want to be paid: a PayPal address or bank details
 * for Wise, stored encrypted by the api and only ever shown masked. The form never shows the
 * stored details back, so a glance over the partner's shoulder reveals nothing.
 */
public final class PartnerPayoutRoutes {
    static final String SECTION = "payouts";
    static final String DETAILS_SECTION = "payout-details";
    static final String ROOT = "/partner/payouts";
    static final String DETAILS = "/partner/payout-details";
    static final Set<String> DETAIL_FIELDS = Set.of("method", "paypalEmail", "bankDetails");
    /** The commissions listed on a payout's page; a larger payout says how many more it has. */
    static final int COMMISSIONS_SHOWN = 100;

    public static final List<Option> METHODS = Option.of("paypal", "PayPal", "wise", "Bank transfer (Wise)");

    public record PayoutsPage(
            Layout layout,
            MyAccount account,
            List<Payout> payouts,
            List<Option> programs,
            String programId,
            Paging paging) {
        public String programName(String id) {
            return account.programName(id);
        }
    }

    public record PayoutPage(Layout layout, Payout payout, String programName, List<MyCommission> commissions) {
        public int notShown() {
            return payout.commissionIds().size() - commissions.size();
        }
    }

    /** What was typed: never the stored details, which the api keeps to itself. */
    public record DetailsForm(String method, String paypalEmail, String bankDetails) {}

    public record DetailsPage(Layout layout, PayoutDetails current, DetailsForm form, FieldErrors errors) {}

    private final Pages pages;
    private final MeClient me;

    public PartnerPayoutRoutes(Pages pages, MeClient me) {
        this.pages = requireNonNull(pages, "pages is null");
        this.me = requireNonNull(me, "me is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(ROOT, this::list);
        routes.get(ROOT + "/{id}", this::show);
        routes.get(DETAILS, ctx -> details(ctx, null, FieldErrors.none(), 200));
        routes.post(DETAILS, this::saveDetails);
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(() -> me.account(caller), () -> me.payouts(caller, programId, cursor));
        ListPage<Payout> page = loaded.second();
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        pages.render(
                ctx,
                "partner/payout/list.jte",
                new PayoutsPage(
                        PartnerNav.withLogo(pages.layout(ctx, "Your payouts", SECTION), loaded.first(), programId),
                        loaded.first(),
                        page.items(),
                        PartnerNav.programOptions(loaded.first()),
                        programId,
                        Paging.of(ROOT, filters, cursor == null, page.nextCursor())));
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> me.payout(caller, ctx.pathParam("id")), () -> me.account(caller));
        Payout payout = loaded.first();
        List<String> ids = payout.commissionIds();
        List<MyCommission> commissions = Parallel.map(
                ids.size() > COMMISSIONS_SHOWN ? ids.subList(0, COMMISSIONS_SHOWN) : ids,
                id -> me.commission(caller, id));
        pages.render(
                ctx,
                "partner/payout/show.jte",
                new PayoutPage(
                        PartnerNav.withLogo(pages.layout(ctx, "Payout", SECTION), loaded.second(), payout.programId()),
                        payout,
                        loaded.second().programName(payout.programId()),
                        commissions));
    }

    private void details(Context ctx, DetailsForm typed, FieldErrors errors, int status) {
        PayoutDetails current = me.payoutDetails(Pages.caller(ctx));
        DetailsForm form =
                typed != null ? typed : new DetailsForm(current.method() == null ? "paypal" : current.method(), "", "");
        pages.render(
                ctx,
                status,
                "partner/payout/details.jte",
                new DetailsPage(pages.layout(ctx, "Payout details", DETAILS_SECTION), current, form, errors));
    }

    private void saveDetails(Context ctx) {
        Form form = Form.of(ctx);
        DetailsForm typed = new DetailsForm(form.get("method"), form.get("paypalEmail"), form.get("bankDetails"));
        ObjectNode body = ApiClient.object().put("method", typed.method());
        if ("wise".equals(typed.method())) {
            body.put("bankDetails", typed.bankDetails());
        } else {
            body.put("paypalEmail", typed.paypalEmail());
        }
        PayoutDetails saved;
        try {
            saved = me.savePayoutDetails(Pages.caller(ctx), body);
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            details(ctx, typed, FieldErrors.from(e, DETAIL_FIELDS), 400);
            return;
        }
        pages.redirect(
                ctx,
                DETAILS,
                "Payout details saved: " + saved.masked() + ". We sent a note to your email about the change.");
    }
}
