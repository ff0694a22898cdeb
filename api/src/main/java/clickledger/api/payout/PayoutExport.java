package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /v1/payouts/export}: payouts as a file to pay them with, streamed a chunk at a time
 * (nothing holds the whole file). Every selected payout is a row; a row that cannot be paid as it
 * stands (no payout details, details for another method, already paid, cancelled) says why in its
 * error column and has no recipient, so the payment service refuses it rather than paying the
 * wrong person or paying twice. The layouts and their sources are in docs/payouts.md.
 */
public final class PayoutExport {
    private final PayoutService payouts;
    private final PayoutDetailsLookup details;

    public PayoutExport(PayoutService payouts, PayoutDetailsLookup details) {
        this.payouts = requireNonNull(payouts, "payouts is null");
        this.details = requireNonNull(details, "details is null");
    }

    /** The file layouts. */
    public enum Format {
        /** Bookkeeping: one row per payout with the partner and the payout's state. */
        CSV,
        /** PayPal Payouts' bulk upload file: no header, one currency per file. */
        PAYPAL,
        /** Wise's batch payment template (bank account recipients), with the partner's bank details text. */
        WISE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Format fromWire(String field, String text) {
            for (Format format : values()) {
                if (format.wire().equals(text)) {
                    return format;
                }
            }
            throw ApiException.badRequest(field, "must be one of csv, paypal, wise");
        }
    }

    static final String NO_DETAILS = "no payout details";

    /** Writes the file; the caller has checked the selection ({@link PayoutService#currencies}). */
    public void write(Format format, PayoutRepository.Filter filter, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        SpreadsheetCsv csv = new SpreadsheetCsv(writer);
        header(format, csv);
        payouts.stream(filter, (chunk, views) -> {
            Map<UUID, PayoutDetails> found = details.forPartners(chunk.stream()
                    .map(row -> row.payout().partnerId().value())
                    .distinct()
                    .toList());
            for (PayoutRepository.WithPartner row : chunk) {
                PayoutDetails partnerDetails =
                        found.get(row.payout().partnerId().value());
                switch (format) {
                    case CSV -> csvRow(csv, row, partnerDetails);
                    case PAYPAL -> payPalRow(csv, row, partnerDetails);
                    case WISE -> wiseRow(csv, row, partnerDetails);
                }
            }
            // Each chunk leaves as it is written: the client sees progress, the server holds one chunk.
            writer.flush();
        });
        writer.flush();
    }

    private static void header(Format format, SpreadsheetCsv csv) throws IOException {
        List<String> columns =
                switch (format) {
                    case CSV ->
                        List.of(
                                "payoutId",
                                "partnerId",
                                "name",
                                "email",
                                "currency",
                                "amount",
                                "commissionCount",
                                "status",
                                "createdAt",
                                "paidAt",
                                "reference",
                                "payoutMethod",
                                "error");
                    // PayPal reads every line as a payment: a header would be refused as one.
                    case PAYPAL -> List.of();
                    case WISE ->
                        List.of(
                                "name",
                                "recipientEmail",
                                "paymentReference",
                                "receiverType",
                                "amountCurrency",
                                "amount",
                                "sourceCurrency",
                                "targetCurrency",
                                "bankDetails",
                                "error");
                };
        if (columns.isEmpty()) {
            return;
        }
        for (String column : columns) {
            csv.text(column);
        }
        csv.endLine();
    }

    private static void csvRow(SpreadsheetCsv csv, PayoutRepository.WithPartner row, PayoutDetails details)
            throws IOException {
        Payout payout = row.payout();
        String error = stateError(payout);
        if (error == null && details == null) {
            error = NO_DETAILS;
        }
        csv.text(payout.id().toString())
                .text(payout.partnerId().toString())
                .text(row.partnerName())
                .text(row.partnerEmail())
                .text(payout.amount().currency().getCurrencyCode())
                .number(payout.amount().decimal())
                .number(Integer.toString(payout.commissionCount()))
                .text(payout.status().wire())
                .text(payout.createdAt().toString())
                .text(payout.paidAt() == null ? null : payout.paidAt().toString())
                .text(payout.reference())
                .text(details == null ? null : details.method())
                .text(error);
        csv.endLine();
    }

    // Recipient, amount, currency, customer id (the payout id: 26 characters, PayPal allows 30
    // without spaces), note, wallet. A row that cannot be paid adds an empty seventh column
    // (PayPal's Venmo-only privacy) and the error as the eighth.
    private static void payPalRow(SpreadsheetCsv csv, PayoutRepository.WithPartner row, PayoutDetails details)
            throws IOException {
        Payout payout = row.payout();
        String error = stateError(payout);
        if (error == null) {
            error = methodError(details, PayoutDetails.PAYPAL, "PayPal email");
        }
        csv.text(error == null ? details.paypalEmail() : null)
                .number(payout.amount().decimal())
                .text(payout.amount().currency().getCurrencyCode())
                .text(payout.id().toString())
                .text("Commission payout " + payout.id())
                .text("PAYPAL");
        if (error != null) {
            csv.text(null).text(error);
        }
        csv.endLine();
    }

    // Wise's columns for paying a bank account: the recipient's name, email, a reference (Wise caps
    // it per currency, at 18 characters for some: "CL" and the payout id's last 16 fit them all),
    // PERSON, target (the partner receives exactly the amount; fees are the sender's), amount, the
    // same source and target currency. Wise wants the bank account in per-currency columns (IBAN,
    // sort code, routing number); partners give it as text, which the bankDetails column carries
    // for the admin to place.
    private static void wiseRow(SpreadsheetCsv csv, PayoutRepository.WithPartner row, PayoutDetails details)
            throws IOException {
        Payout payout = row.payout();
        String error = stateError(payout);
        if (error == null) {
            error = methodError(details, PayoutDetails.WISE, "bank details");
        }
        String currency = payout.amount().currency().getCurrencyCode();
        String id = payout.id().toString();
        csv.text(row.partnerName())
                .text(row.partnerEmail())
                .text("CL" + id.substring(id.length() - 16))
                .text("PERSON")
                .text("target")
                .number(payout.amount().decimal())
                .text(currency)
                .text(currency)
                .text(error == null ? details.bankDetails() : null)
                .text(error);
        csv.endLine();
    }

    private static String stateError(Payout payout) {
        return switch (payout.status()) {
            case PENDING -> null;
            case PAID -> "already paid (reference " + payout.reference() + ")";
            case CANCELLED -> "cancelled";
        };
    }

    private static String methodError(PayoutDetails details, String method, String what) {
        if (details == null) {
            return NO_DETAILS;
        }
        if (!method.equals(details.method())) {
            return "payout method is " + details.method() + ", not " + method;
        }
        String value = method.equals(PayoutDetails.PAYPAL) ? details.paypalEmail() : details.bankDetails();
        if (value == null || value.isBlank()) {
            return "no " + what + " in the payout details";
        }
        return null;
    }
}
