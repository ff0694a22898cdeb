package clickledger.portal.admin.payout;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Partner;
import clickledger.portal.api.Payout;
import clickledger.portal.api.PayoutPreview;
import clickledger.portal.api.PayoutsClient;
import clickledger.portal.api.Program;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Payouts: preview what a batch would pay (per partner and currency, with the minimum and the
 * negatives it carries), create it, list payouts, export them as a file for PayPal, Wise or the
 * books, mark one or many paid with the payment's reference, cancel. Every rule is the api's: the
 * portal shows its preview and its verdicts.
 */
public final class PayoutRoutes {
    static final String SECTION = "payouts";
    static final int PAGE_SIZE = 50;
    // A payout may pay thousands of commissions; the page links the first ones, each a page of its own.
    public static final int COMMISSIONS_SHOWN = 200;
    static final Set<String> FORMATS = Set.of("csv", "paypal", "wise");
    static final Set<String> BATCH_FIELDS = Set.of("programId", "currency", "minimumAmount", "upTo");
    static final Set<String> PAID_FIELDS = Set.of("reference", "method", "paidAt");

    public static final List<Option> STATUSES = Option.of(
            "", "Any status",
            "pending", "Pending",
            "paid", "Paid",
            "cancelled", "Cancelled");

    public static final List<Option> METHODS = Option.of(
            "", "Not said",
            "paypal", "PayPal",
            "wise", "Wise",
            "bank transfer", "Bank transfer",
            "other", "Other");

    public record Filters(String programId, String partnerId, String status, String batchId) {
        PayoutsClient.Filter toApi() {
            return new PayoutsClient.Filter(programId, partnerId, status, batchId);
        }

        Map<String, String> query() {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("programId", programId);
            query.put("partnerId", partnerId);
            query.put("status", status);
            query.put("batchId", batchId);
            return query;
        }

        public String href() {
            return Paging.href("/payouts", query(), null);
        }

        /** The file of every payout these filters select. */
        public String exportHref(String format) {
            Map<String, String> query = query();
            query.put("format", format);
            return Paging.href("/payouts/export", query, null);
        }
    }

    public record PayoutRow(Payout payout, String partnerName, String programName) {}

    public record ListPageView(
            Layout layout,
            Filters filters,
            List<Option> programs,
            List<PayoutRow> rows,
            Paging paging,
            String back,
            FieldErrors errors) {}

    /** The batch form as typed, with the preview when a program was chosen. */
    public record BatchForm(String programId, String currency, String minimumAmount, String upTo) {
        PayoutsClient.BatchSpec toApi() {
            return new PayoutsClient.BatchSpec(programId, currency, minimumAmount, endOfDay(upTo));
        }
    }

    public record NewBatchPage(
            Layout layout,
            BatchForm form,
            List<Option> programs,
            Program program,
            PayoutPreview preview,
            FieldErrors errors) {}

    public record DetailPage(
            Layout layout,
            Payout payout,
            Partner partner,
            Program program,
            FieldErrors errors,
            String reference,
            String method,
            String paidAt) {}

    private final Pages pages;
    private final Api api;

    public PayoutRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/payouts", this::list);
        routes.get("/payouts/new", this::newBatch);
        routes.post("/payouts/new", this::createBatch);
        routes.get("/payouts/export", this::exportFiltered);
        routes.post("/payouts/bulk", this::bulk);
        routes.get("/payouts/{id}", this::detail);
        routes.post("/payouts/{id}/mark-paid", this::markPaid);
        routes.post("/payouts/{id}/cancel", this::cancel);
    }

    private void list(Context ctx) {
        renderList(ctx, FieldErrors.none(), 200);
    }

    private void renderList(Context ctx, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        Filters filters = new Filters(
                Params.text(ctx, "programId"),
                Params.text(ctx, "partnerId"),
                Params.text(ctx, "status"),
                Params.text(ctx, "batchId"));
        String cursor = ctx.queryParam("cursor");
        var loaded =
                Parallel.both(() -> api.payouts().list(caller, filters.toApi(), cursor, PAGE_SIZE), () -> api.programs()
                        .all(caller));
        ListPage<Payout> page = loaded.first();
        Map<String, String> programNames = new LinkedHashMap<>();
        loaded.second().forEach(program -> programNames.put(program.id(), program.name()));
        Map<String, Partner> partners = api.partners()
                .byIds(caller, page.items().stream().map(Payout::partnerId).toList());
        List<PayoutRow> rows = new ArrayList<>();
        for (Payout payout : page.items()) {
            Partner partner = partners.get(payout.partnerId());
            rows.add(new PayoutRow(
                    payout,
                    partner == null ? payout.partnerId() : partner.name(),
                    programNames.getOrDefault(payout.programId(), payout.programId())));
        }
        pages.render(
                ctx,
                status,
                "admin/payout/list.jte",
                new ListPageView(
                        pages.layout(ctx, "Payouts", SECTION),
                        filters,
                        programOptions(loaded.second(), "All programs"),
                        rows,
                        Paging.of("/payouts", filters.query(), cursor == null, page.nextCursor()),
                        filters.href(),
                        errors));
    }

    /** The batch form; once a program is chosen, the api's preview of what the batch would pay. */
    private void newBatch(Context ctx) {
        BatchForm form = new BatchForm(
                Params.text(ctx, "programId"),
                Params.text(ctx, "currency"),
                Params.text(ctx, "minimumAmount"),
                Params.text(ctx, "upTo"));
        renderNewBatch(ctx, form, FieldErrors.none(), 200);
    }

    private void renderNewBatch(Context ctx, BatchForm form, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        List<Program> programs = api.programs().all(caller);
        Program program = programs.stream()
                .filter(candidate -> candidate.id().equals(form.programId()))
                .findFirst()
                .orElse(null);
        PayoutPreview preview = null;
        int answer = status;
        if (form.programId() != null && !errors.any()) {
            try {
                preview = api.payouts().preview(caller, form.toApi());
            } catch (ApiProblem e) {
                if (e.status() != 400 && e.status() != 404) {
                    throw e;
                }
                errors = FieldErrors.from(e, BATCH_FIELDS);
                answer = e.status();
            }
        }
        List<Option> choices = programOptions(programs, "Choose a program");
        pages.render(
                ctx,
                answer,
                "admin/payout/new.jte",
                new NewBatchPage(
                        pages.layout(ctx, "New payout batch", SECTION), form, choices, program, preview, errors));
    }

    private void createBatch(Context ctx) {
        Form form = Form.of(ctx);
        BatchForm batch = new BatchForm(
                blankToNull(form.get("programId")),
                blankToNull(form.get("currency")),
                blankToNull(form.get("minimumAmount")),
                blankToNull(form.get("upTo")));
        try {
            PayoutsClient.Batch created = api.payouts().create(Pages.caller(ctx), batch.toApi());
            int count = created.items().size();
            if (count == 0) {
                pages.redirect(ctx, "/payouts", "Nothing was owed: no payouts were created.");
                return;
            }
            pages.redirect(
                    ctx,
                    "/payouts?batchId=" + created.batchId(),
                    "Created " + count + (count == 1 ? " payout." : " payouts.")
                            + " Export them to pay, then mark them paid.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 404) {
                throw e;
            }
            renderNewBatch(ctx, batch, FieldErrors.from(e, BATCH_FIELDS), e.status());
        }
    }

    private void detail(Context ctx) {
        renderDetail(ctx, ctx.pathParam("id"), FieldErrors.none(), 200, null, null, null);
    }

    private void renderDetail(
            Context ctx, String id, FieldErrors errors, int status, String reference, String method, String paidAt) {
        Caller caller = Pages.caller(ctx);
        Payout payout = api.payouts().get(caller, id);
        var loaded = Parallel.both(() -> api.partners().get(caller, payout.partnerId()), () -> api.programs()
                .get(caller, payout.programId()));
        pages.render(
                ctx,
                status,
                "admin/payout/detail.jte",
                new DetailPage(
                        pages.layout(ctx, "Payout", SECTION),
                        payout,
                        loaded.first(),
                        loaded.second(),
                        errors,
                        reference,
                        method,
                        paidAt));
    }

    private void markPaid(Context ctx) {
        Form form = Form.of(ctx);
        String id = ctx.pathParam("id");
        String reference = form.get("reference");
        String method = form.get("method");
        String paidAt = form.get("paidAt");
        try {
            Payout payout = api.payouts().markPaid(Pages.caller(ctx), id, reference, startOfDay(paidAt), method);
            pages.redirect(
                    ctx, "/payouts/" + payout.id(), "Payout marked paid with reference " + payout.reference() + ".");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            renderDetail(ctx, id, FieldErrors.from(e, PAID_FIELDS), e.status(), reference, method, paidAt);
        }
    }

    private void cancel(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            api.payouts().cancel(Pages.caller(ctx), id);
            pages.redirect(
                    ctx, "/payouts/" + id, "Payout cancelled: its commissions are owed again, for the next batch.");
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(ctx, "/payouts/" + id, "A paid payout cannot be cancelled.");
        }
    }

    /**
     * The list's selected payouts: mark them paid with one reference (a PayPal batch id covers
     * many), cancel them, or download them as a file.
     */
    private void bulk(Context ctx) {
        Form form = Form.of(ctx);
        String action = form.get("action");
        String back = safeBack(form.get("back"));
        List<String> ids = form.all("ids");
        if (FORMATS.contains(action)) {
            if (ids.isEmpty()) {
                pages.redirect(ctx, back, "Select at least one payout first.");
                return;
            }
            download(ctx, action, ids, new PayoutsClient.Filter(null, null, null, null));
            return;
        }
        if (!action.equals("paid") && !action.equals("cancel")) {
            throw Params.badRequest("action", "must be paid, cancel, csv, paypal or wise");
        }
        if (ids.isEmpty()) {
            pages.redirect(ctx, back, "Select at least one payout first.");
            return;
        }
        Caller caller = Pages.caller(ctx);
        String reference = form.get("reference");
        if (action.equals("paid") && reference.isEmpty()) {
            pages.redirect(ctx, back, "Give the payment's reference to mark payouts paid.");
            return;
        }
        int done = 0;
        List<String> refused = new ArrayList<>();
        for (String id : ids) {
            try {
                if (action.equals("paid")) {
                    api.payouts().markPaid(caller, id, reference, null, form.get("method"));
                } else {
                    api.payouts().cancel(caller, id);
                }
                done++;
            } catch (ApiProblem e) {
                if (e.status() != 400 && e.status() != 404 && e.status() != 409) {
                    throw e;
                }
                refused.add(id + " (" + e.detail() + ")");
            }
        }
        String payouts = done + (done == 1 ? " payout" : " payouts");
        String notice = (action.equals("paid") ? "Marked " + payouts + " paid" : "Cancelled " + payouts)
                + (refused.isEmpty() ? "." : "; not changed: " + String.join("; ", refused) + ".");
        pages.redirect(ctx, back, notice);
    }

    /** {@code ?format=} of every payout the list's filters select, or of {@code ?ids=}. */
    private void exportFiltered(Context ctx) {
        String format = Params.text(ctx, "format");
        if (format == null || !FORMATS.contains(format)) {
            throw Params.badRequest("format", "must be csv, paypal or wise");
        }
        String ids = Params.text(ctx, "ids");
        download(
                ctx,
                format,
                ids == null ? List.of() : List.of(ids.split(",")),
                new PayoutsClient.Filter(
                        Params.text(ctx, "programId"),
                        Params.text(ctx, "partnerId"),
                        Params.text(ctx, "status"),
                        Params.text(ctx, "batchId")));
    }

    /** The api's file passed on as it arrives: the portal never holds a whole export. */
    private void download(Context ctx, String format, List<String> ids, PayoutsClient.Filter filter) {
        try (ApiClient.Download file = api.payouts().export(Pages.caller(ctx), format, ids, filter)) {
            ctx.header("Cache-Control", "no-store");
            ctx.header(
                    "Content-Disposition",
                    file.contentDisposition() != null
                            ? file.contentDisposition()
                            : "attachment; filename=\"payouts-" + format + ".csv\"");
            ctx.contentType(file.contentType());
            try (OutputStream out = ctx.outputStream()) {
                file.body().transferTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Option> programOptions(List<Program> programs, String none) {
        List<Option> options = new ArrayList<>(List.of(new Option("", none)));
        programs.forEach(program -> options.add(new Option(program.id(), program.name())));
        return options;
    }

    /** Back to the list the person came from; nothing but a payouts URL of this portal. */
    static String safeBack(String back) {
        if (back == null || !back.startsWith("/payouts") || back.contains("//") || back.contains("\\")) {
            return "/payouts";
        }
        return back;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * The form's date as the api's instant: commissions created up to the end of that day (UTC,
     * the zone the api counts days in). Anything else is passed on for the api to name.
     */
    static String endOfDay(String date) {
        if (date == null || date.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(date)
                            .plusDays(1)
                            .atStartOfDay()
                            .minusNanos(1_000_000)
                            .toString() + "Z";
        } catch (DateTimeParseException notADate) {
            return date;
        }
    }

    /** A payment date as the api's instant: the start of that day in UTC. */
    static String startOfDay(String date) {
        if (date == null || date.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(date).atStartOfDay().toString() + ":00Z";
        } catch (DateTimeParseException notADate) {
            return date;
        }
    }
}
