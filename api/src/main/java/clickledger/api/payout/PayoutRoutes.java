package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.http.Timestamps;
import clickledger.api.money.Money;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.Currencies;
import clickledger.api.program.Program;
import clickledger.api.program.ProgramId;
import clickledger.api.program.ProgramService;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/payouts}, admins only: preview and create a batch, list, read, export, mark paid,
 * cancel. {@link clickledger.api.auth.RouteAccess} keeps every other principal out (its table
 * lists none of these routes); each handler asks for an admin again.
 */
public final class PayoutRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(PayoutRoutes.class);
    // Flushed once per chunk rather than after every payout, which would send thousands of tiny chunks.
    private static final ObjectWriter VIEW_WRITER =
            Json.MAPPER.writerFor(PayoutView.class).without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    private static final Set<String> BATCH_FIELDS = Set.of("programId", "currency", "minimumAmount", "upTo");
    private static final Set<String> MARK_PAID_FIELDS = Set.of("reference", "paidAt", "method");
    // A payment reference (a PayPal batch id, a bank's end-to-end id) is short; 200 leaves room for
    // a note-like one without letting a field become a document.
    static final int MAX_REFERENCE = 200;
    static final int MAX_METHOD = 64;
    // ?ids= travels in the URL, whose request line Jetty caps at 8 KiB: 200 ids of 27 characters fit.
    static final int MAX_EXPORT_IDS = 200;

    private final PayoutService service;
    private final PayoutExport export;
    private final ProgramService programs;
    private final DSLContext dsl;

    public PayoutRoutes(PayoutService service, PayoutExport export, ProgramService programs, DSLContext dsl) {
        this.service = requireNonNull(service, "service is null");
        this.export = requireNonNull(export, "export is null");
        this.programs = requireNonNull(programs, "programs is null");
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/payouts", this::create);
        routes.post("/v1/payouts/preview", this::preview);
        routes.get("/v1/payouts", this::list);
        // Before /v1/payouts/{id}, which would otherwise take "export" for an id.
        routes.get("/v1/payouts/export", this::export);
        routes.get("/v1/payouts/{id}", this::get);
        routes.post("/v1/payouts/{id}/mark-paid", this::markPaid);
        routes.post("/v1/payouts/{id}/cancel", this::cancel);
    }

    private void preview(Context ctx) {
        Access.requireAdmin(ctx);
        ctx.json(service.preview(spec(ctx)));
    }

    /**
     * 201 with {@code {batchId, items}}, written as it is read once the batch has committed: a batch
     * of ten thousand payouts claiming a million commissions answers in flat memory.
     */
    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        PayoutService.Batch batch = service.create(spec(ctx), actor);
        ctx.status(201).contentType("application/json");
        try (OutputStream out = ctx.outputStream();
                JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("batchId", Ulid.encode(batch.batchId()));
            json.writeArrayFieldStart("items");
            if (!batch.payouts().isEmpty()) {
                service.stream(filter(null, null, null, batch.batchId(), null, null), (chunk, views) -> {
                    for (PayoutView view : views) {
                        VIEW_WRITER.writeValue(json, view);
                    }
                    json.flush();
                });
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            // Committed already: the client that went away can read the batch with GET /v1/payouts?batchId=.
            LOG.atWarn()
                    .addKeyValue("batchId", Ulid.encode(batch.batchId()))
                    .setCause(e)
                    .log("payout batch created, but its answer could not be written");
            throw new UncheckedIOException(e);
        }
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        PageRequest page = PageRequest.from(ctx);
        ctx.json(service.list(queryFilter(ctx, null), page));
    }

    private void get(Context ctx) {
        Access.requireAdmin(ctx);
        PayoutId id = new PayoutId(PathIds.id(ctx));
        ctx.json(service.view(service.find(id).orElseThrow(() -> PayoutService.notFound(id))));
    }

    private void markPaid(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        PayoutId id = new PayoutId(PathIds.id(ctx));
        JsonNode body = Json.object(ctx, MARK_PAID_FIELDS);
        FieldErrors errors = new FieldErrors();
        String reference = errors.check(() -> text("reference", body.get("reference"), MAX_REFERENCE, true));
        String method = errors.check(() -> text("method", body.get("method"), MAX_METHOD, false));
        Instant paidAt = null;
        JsonNode paidAtNode = body.get("paidAt");
        if (paidAtNode != null && !paidAtNode.isNull()) {
            paidAt = errors.check(() -> paidAt(paidAtNode));
        }
        errors.throwIfAny();
        ctx.json(service.markPaid(id, new PayoutService.MarkPaid(reference, paidAt, method), actor)
                .payout());
    }

    private void cancel(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        PayoutId id = new PayoutId(PathIds.id(ctx));
        ctx.json(service.cancel(id, actor).payout());
    }

    private void export(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        PayoutExport.Format format = PayoutExport.Format.fromWire(
                "format", ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format"));
        String idsText = ctx.queryParam("ids");
        List<PayoutId> ids = null;
        if (idsText != null && !idsText.isBlank()) {
            ids = exportIds(idsText);
            List<PayoutId> wanted = ids;
            Set<PayoutId> found = service.existing(wanted);
            List<String> missing = wanted.stream()
                    .filter(id -> !found.contains(id))
                    .map(PayoutId::toString)
                    .toList();
            if (!missing.isEmpty()) {
                throw ApiException.notFound("payout " + String.join(", ", missing));
            }
        }
        PayoutRepository.Filter filter = queryFilter(ctx, ids);
        if (format == PayoutExport.Format.PAYPAL) {
            List<Currency> currencies = service.currencies(filter, 3);
            if (currencies.size() > 1) {
                throw ApiException.badRequest(
                        "currency",
                        "PayPal takes one currency per file; these payouts are in "
                                + String.join(
                                        ", ",
                                        currencies.stream()
                                                .map(Currency::getCurrencyCode)
                                                .toList())
                                + ": export each with currency=");
            }
        }
        audit(actor, format, ctx);
        String name = "payouts-" + format.wire() + "-" + service.now().toEpochMilli() + ".csv";
        ctx.status(200)
                .contentType("text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store");
        try (OutputStream out = ctx.outputStream()) {
            export.write(format, filter, out);
        } catch (IOException e) {
            // The status line is gone: the client sees a cut-off file, never one that looks whole.
            LOG.atWarn().setCause(e).log("payout export stopped midway");
            throw new UncheckedIOException(e);
        }
    }

    // Payment files carry partners' PayPal emails and bank details: who took one, and of what, is kept.
    private void audit(Principal actor, PayoutExport.Format format, Context ctx) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", format.wire());
        for (String name : List.of("ids", "batchId", "programId", "partnerId", "status", "currency")) {
            String value = ctx.queryParam(name);
            if (value != null && !value.isBlank()) {
                details.put(name, value.length() > 2000 ? value.substring(0, 2000) + "…" : value);
            }
        }
        new AuditRepository(dsl)
                .append(new AuditEntry(service.now(), actor.actor(), "payout.exported", "payout", null, details));
    }

    private static List<PayoutId> exportIds(String text) {
        List<PayoutId> ids = new ArrayList<>();
        for (String part : text.split(",", MAX_EXPORT_IDS + 2)) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (ids.size() == MAX_EXPORT_IDS) {
                throw ApiException.badRequest(
                        "ids", "must list at most " + MAX_EXPORT_IDS + " ids; export a whole batch with batchId=");
            }
            PayoutId id = new PayoutId(Ulid.parse(trimmed)
                    .orElseThrow(() -> ApiException.badRequest("ids", "must be payout ids separated by commas")));
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** {@code ?programId=&partnerId=&status=&batchId=&currency=}, every bad one named at once. */
    private static PayoutRepository.Filter queryFilter(Context ctx, List<PayoutId> ids) {
        FieldErrors errors = new FieldErrors();
        ProgramId programId = errors.check(() -> optional(ctx, "programId", ProgramId::parse));
        PartnerId partnerId = errors.check(() -> optional(ctx, "partnerId", PartnerId::parse));
        PayoutStatus status = errors.check(() -> optional(ctx, "status", PayoutStatus::fromWire));
        UUID batchId = errors.check(() -> optional(ctx, "batchId", Ids::parse));
        Currency currency = errors.check(() -> optional(ctx, "currency", Currencies::parse));
        errors.throwIfAny();
        return filter(programId, partnerId, status, batchId, currency, ids);
    }

    private static PayoutRepository.Filter filter(
            ProgramId programId,
            PartnerId partnerId,
            PayoutStatus status,
            UUID batchId,
            Currency currency,
            List<PayoutId> ids) {
        return new PayoutRepository.Filter(programId, partnerId, status, batchId, currency, ids);
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String field, String text);
    }

    private static <T> T optional(Context ctx, String name, Parser<T> parser) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : parser.parse(name, value);
    }

    /**
     * The body of {@code POST /v1/payouts} and its preview, every field checked at once:
     * {@code programId} (required), {@code currency}, {@code minimumAmount} (in that currency, else
     * the program's; zero or more; default the program's payoutMinimum), {@code upTo} (default now;
     * a later time counts as now, so a batch never waits for commissions that do not exist yet).
     */
    private BatchSpec spec(Context ctx) {
        JsonNode body = Json.object(ctx, BATCH_FIELDS);
        FieldErrors errors = new FieldErrors();
        ProgramId programId = errors.check(() -> ProgramId.parse("programId", textOrNull(body, "programId")));
        Currency currency = null;
        if (present(body, "currency")) {
            currency = errors.check(() -> Currencies.parse("currency", string("currency", body.get("currency"))));
        }
        Instant now = service.now();
        Instant upTo = now;
        if (present(body, "upTo")) {
            Instant asked = errors.check(() -> Timestamps.parse("upTo", string("upTo", body.get("upTo"))));
            if (asked != null && asked.isBefore(now)) {
                upTo = asked;
            }
        }
        errors.throwIfAny();
        Program program = programs.find(programId).orElseThrow(() -> ApiException.notFound("program"));
        Currency minimumCurrency = currency == null ? program.currency() : currency;
        Money minimum = new Money(program.payoutMinimumMinor(), program.currency());
        if (present(body, "minimumAmount")) {
            minimum = Money.parse("minimumAmount", body.get("minimumAmount"), minimumCurrency);
            if (minimum.minor() < 0) {
                throw ApiException.badRequest("minimumAmount", "must not be negative");
            }
        } else if (!minimumCurrency.equals(program.currency())) {
            // The program's minimum is money in its own currency; in another it means nothing.
            minimum = new Money(0, minimumCurrency);
        }
        return new BatchSpec(programId, currency, minimum, upTo);
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String textOrNull(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : string(field, node);
    }

    private static String string(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, "must be a string");
        }
        return node.textValue();
    }

    /** A short single-line text: trimmed, no control characters. */
    static String text(String field, JsonNode node, int max, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.badRequest(field, "is required");
            }
            return null;
        }
        String value = string(field, node).strip();
        if (value.isEmpty()) {
            if (required) {
                throw ApiException.badRequest(field, "must not be blank");
            }
            return null;
        }
        if (value.length() > max) {
            throw ApiException.badRequest(field, "must be at most " + max + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw ApiException.badRequest(field, "must be one line without control characters");
            }
        }
        return value;
    }

    private Instant paidAt(JsonNode node) {
        Instant paidAt = Timestamps.parse("paidAt", string("paidAt", node));
        if (paidAt.isAfter(service.now())) {
            throw ApiException.badRequest("paidAt", "must not be in the future");
        }
        return paidAt;
    }
}
