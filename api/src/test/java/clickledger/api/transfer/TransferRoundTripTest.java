package clickledger.api.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.Rfc4180;
import clickledger.api.TestApi;
import clickledger.api.branding.Images;
import clickledger.api.event.Ledger;
import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import clickledger.testkit.Prerequisites;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipFile;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export → import into an empty database → every table holds the same rows: the same count and
 * the same checksum of each row's content, for the JSON export through the api (a program's logo
 * too: its image travels in the zip), for the SQL export through psql (which carries no logos),
 * and again (as conflicts) when the same export is imported twice.
 */
class TransferRoundTripTest {
    /** Hostile text in every free-text column: CSV delimiters, a formula, COPY's escapes, a NUL-free mess. */
    static final String HOSTILE = "=HYPERLINK(\"http://evil.example\",\"x\"), \"quoted\"\ttab\\back\nnew line ünïcode";

    private static TestApi source;
    private static String programId;
    private static JsonNode logo;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path directory;

    @BeforeAll
    static void seed() {
        source = TestApi.start(Map.of("WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_WORKER_ENABLED", "false"));
        Ledger ledger = new Ledger(source);
        programId = ledger.program("USD", "linear", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner ada = ledger.partner(programId);
        Ledger.Partner grace = ledger.partner(programId);
        Instant now = source.clock().instant();
        // Clicks in three monthly partitions (November, December, January) and two users.
        String november = ledger.click(programId, ada, now.minus(Duration.ofDays(55)));
        String december = ledger.click(programId, grace, now.minus(Duration.ofDays(30)));
        String january = ledger.click(programId, ada, now.minus(Duration.ofDays(2)));
        ledger.click(programId, grace, now.minus(Duration.ofDays(1)), true, null);
        source.dsl()
                .execute(
                        "update click set user_agent = ?, referer = ?, ip_hash = '\\x00ff10'::bytea, utm_source = '+1'"
                                + " where id = (select id from click order by ts limit 1)",
                        HOSTILE,
                        HOSTILE);
        ledger.identify(november, "user-1").expect(201);
        ledger.identify(december, "user-1").expect(201);
        ledger.identify(january, "user-2").expect(201);
        source.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"inv-1","userId":"user-1","type":"purchase","value":"99.99",
                         "metadata":{"note":%s}}"""
                                .formatted(programId, json(HOSTILE)))
                .expect(201);
        ledger.event(programId, "inv-2", "user-2", "20.00", now.minus(Duration.ofHours(1)))
                .expect(201);
        source.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"ref-1","userId":"user-1","type":"refund","refundOf":"inv-1","value":"9.99"}"""
                                .formatted(programId))
                .expect(201);
        // A logo: its row travels in the table, its image (from the storage) next to it in the zip.
        logo = source.sendBytes(
                        "PUT",
                        "/v1/programs/" + programId + "/logo",
                        Images.image("png", 300, 100),
                        "image/png",
                        TestApi.ADMIN_KEY)
                .expect(200)
                .json();
        source.post(
                        "/v1/webhooks",
                        "{\"url\":\"http://127.0.0.1:9/hooks\",\"eventTypes\":[\"commission.created\",\"payout.paid\"],"
                                + "\"description\":\"=cmd|'/c calc', \\\"CRM\\\"\"}")
                .expect(201);
    }

    @AfterAll
    static void stop() {
        source.close();
    }

    @Test
    void jsonExportImportsIntoAnEmptyDatabaseWithEveryRowIntact() throws Exception {
        Path export = download("/v1/export?format=json", "export.zip");
        try (TestApi destination = TestApi.start()) {
            TestApi.Response imported = upload(destination, export).expect(200);

            JsonNode tables = imported.json().get("tables");
            Map<String, Long> sourceCounts = new TreeMap<>();
            for (TransferTable table : TransferTable.values()) {
                sourceCounts.put(table.table(), count(source.dsl(), table));
            }
            assertThat(sourceCounts.get("click")).isGreaterThanOrEqualTo(4);
            assertThat(sourceCounts.get("commission")).isPositive();
            for (JsonNode table : tables) {
                assertThat(table.get("inserted").asLong())
                        .as(table.get("table").asText())
                        .isEqualTo(table.get("rows").asLong());
                assertThat(table.get("conflicts").asLong()).isZero();
            }
            assertThat(checksums(destination.dsl())).isEqualTo(checksums(source.dsl()));
            assertThat(sourceCounts.get("program_logo")).isEqualTo(1);
            // The logo's image came along: the destination serves the same bytes at the same URL.
            String logoUrl = logo.get("url").asText();
            assertThat(destination
                            .get("/v1/programs/" + programId)
                            .expect(200)
                            .json()
                            .get("logoUrl")
                            .asText())
                    .isEqualTo(logoUrl);
            assertThat(destination.getBytes(logoUrl, null, Map.of()).body())
                    .isEqualTo(source.getBytes(logoUrl, null, Map.of()).body());
            assertThat(imported.json().at("/rederivation/0/changed").asInt()).isZero();
            assertThat(imported.json().at("/rederivation/0/added").asInt()).isZero();
            assertThat(imported.json().at("/rederivation/0/removed").asInt()).isZero();
            // Old months landed in their own partitions, not the default one.
            assertThat(destination
                            .dsl()
                            .fetchOne("select count(*) from click_default")
                            .get(0, Long.class))
                    .isZero();
            // The imported endpoint waits, disabled, for a secret its receiver knows.
            assertThat(destination
                            .get("/v1/webhooks")
                            .expect(200)
                            .json()
                            .at("/items/0/enabled")
                            .asBoolean())
                    .isFalse();

            JsonNode again = upload(destination, export).expect(200).json();
            for (JsonNode table : again.get("tables")) {
                assertThat(table.get("inserted").asLong())
                        .as(table.get("table").asText())
                        .isZero();
                assertThat(table.get("conflicts").asLong())
                        .isEqualTo(table.get("rows").asLong());
            }
            assertThat(checksums(destination.dsl())).isEqualTo(checksums(source.dsl()));
        }
    }

    @Test
    void sqlExportRestoresWithPsql() throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of(psql())), "psql is not installed (postgresql-client)");
        Path script = download("/v1/export?format=sql", "export.sql");
        assertThat(Files.readString(script))
                .contains("copy transfer_click (")
                .contains("-- program_logo: not in a sql export")
                .endsWith("commit;\n");
        DatabaseConfig.Endpoint target = PostgresFixture.get().newDatabase();

        Process psql = new ProcessBuilder(
                        psql(),
                        "--no-psqlrc",
                        "--quiet",
                        "--file=" + script,
                        "--dbname=" + PostgresFixture.postgresUrl(target))
                .redirectErrorStream(true)
                .start();
        String output = new String(psql.getInputStream().readAllBytes(), UTF_8);
        assertThat(psql.waitFor()).as(output).isZero();

        try (Connection connection = DriverManager.getConnection(
                target.jdbcUrl(), target.user(), target.password().reveal())) {
            // Everything but the logos, which psql cannot put in the storage (the json form carries them).
            Map<String, String> expected = checksums(source.dsl());
            expected.remove("program_logo");
            Map<String, String> restored = checksums(org.jooq.impl.DSL.using(connection));
            assertThat(restored.remove("program_logo")).isEqualTo("0:");
            assertThat(restored).isEqualTo(expected);
        }
    }

    @Test
    void csvExportIsRfc4180WithFormulasDefused() throws Exception {
        Path export = download("/v1/export?format=csv&tables=click,commission", "export-csv.zip");
        try (ZipFile zip = new ZipFile(export.toFile())) {
            assertThat(zip.stream().map(entry -> entry.getName()).toList())
                    .containsExactly("click.csv", "commission.csv", "manifest.json");
            List<List<String>> clicks = Rfc4180.parse(read(zip, "click.csv"));
            assertThat(clicks).hasSize(5);
            List<String> header = clicks.getFirst();
            List<String> hostile = clicks.stream()
                    .filter(row -> row.get(header.indexOf("utm_source")).equals("'+1"))
                    .findFirst()
                    .orElseThrow();
            assertThat(hostile.get(header.indexOf("user_agent"))).isEqualTo("'" + HOSTILE);
            assertThat(hostile.get(header.indexOf("referer"))).isEqualTo("'" + HOSTILE);
            // Numbers are numbers: a reversal's negative amount is not prefixed.
            List<List<String>> commissions = Rfc4180.parse(read(zip, "commission.csv"));
            int amount = commissions.getFirst().indexOf("amount_minor");
            assertThat(commissions.stream().skip(1).map(row -> row.get(amount)))
                    .anyMatch(value -> value.startsWith("-"));
            JsonNode manifest = clickledger.web.Json.MAPPER.readTree(read(zip, "manifest.json"));
            assertThat(manifest.at("/tables/0/rows").asLong()).isEqualTo(4);
            assertThat(manifest.at("/tables/0/sha256").asText()).hasSize(64);
        }
    }

    @Test
    void exportRefusesUnknownTablesFormatsAndPrograms() {
        assertThat(source.get("/v1/export?format=xml").expect(400).errorFields())
                .containsExactly("format");
        assertThat(source.get("/v1/export?tables=click,secrets").expect(400).errorFields())
                .containsExactly("tables");
        source.get("/v1/export?programId=01JZZZZZZZZZZZZZZZZZZZZZZZ").expect(404);
        assertThat(source.get("/v1/export?programId=nope").expect(400).errorFields())
                .containsExactly("programId");
    }

    @Test
    void importRefusesWhatIsNotAnExportAndChangesNothing() throws Exception {
        try (TestApi destination = TestApi.start()) {
            Path garbage = directory.resolve("garbage.bin");
            Files.writeString(garbage, "hello");
            assertThat(upload(destination, garbage).expect(400).errorFields()).containsExactly("file");

            Path export = download("/v1/export?format=json", "tampered-source.zip");
            Path tampered = directory.resolve("tampered.zip");
            tamper(export, tampered);
            TestApi.Response refused = upload(destination, tampered).expect(400);
            assertThat(refused.body()).contains("checksum");
            assertThat(count(destination.dsl(), TransferTable.PROGRAM)).isZero();
        }
    }

    @Test
    void programExportHoldsOnlyThatProgram() throws Exception {
        Ledger ledger = new Ledger(source);
        String other = ledger.program("EUR", "last_click", "[]");
        ledger.click(other, ledger.partner(other), source.clock().instant().minusSeconds(60));
        Path export = download("/v1/export?format=json&programId=" + programId, "program.zip");
        try (ZipFile zip = new ZipFile(export.toFile())) {
            JsonNode manifest = clickledger.web.Json.MAPPER.readTree(read(zip, "manifest.json"));
            Map<String, Long> rows = new TreeMap<>();
            manifest.get("tables")
                    .forEach(table -> rows.put(
                            table.get("name").asText(), table.get("rows").asLong()));
            assertThat(rows.get("program")).isEqualTo(1);
            assertThat(rows.get("program_logo")).isEqualTo(1);
            String image = "storage/"
                    + source.dsl()
                            .fetchOne(
                                    "select storage_key from program_logo where program_id = ?::uuid",
                                    clickledger.common.id.Ulid.parse(programId)
                                            .orElseThrow()
                                            .toString())
                            .get(0, String.class);
            assertThat(zip.getEntry(image)).as(image).isNotNull();
            assertThat(rows.get("click")).isEqualTo(4);
            assertThat(rows.get("partner")).isEqualTo(2);
            assertThat(read(zip, "program.jsonl")).doesNotContain("EUR");
        }
    }

    // ------------------------------------------------------------------------------------------

    static String psql() {
        for (String candidate :
                List.of("/usr/bin/psql", "/usr/lib/postgresql/17/bin/psql", "/usr/lib/postgresql/15/bin/psql")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "/usr/bin/psql";
    }

    /**
     * Per table, the row count and an md5 over every row's exported columns, sorted so insertion
     * order does not matter. The import's own audit entry and the columns an import must change
     * (a webhook endpoint's new secret, and that it waits disabled) are left out.
     */
    static Map<String, String> checksums(DSLContext dsl) {
        Map<String, String> sums = new TreeMap<>();
        for (TransferTable table : TransferTable.values()) {
            String where = table == TransferTable.AUDIT_LOG ? "where action not in ('data.import', 'data.export')" : "";
            String columns = dsl.fetchOne(
                            "select string_agg(quote_ident(column_name), ', ' order by ordinal_position)"
                                    + " from information_schema.columns where table_schema = current_schema()"
                                    + " and table_name = ? and column_name not in"
                                    + " ('secret_enc', 'previous_secret_enc', 'enabled', 'disabled_reason')",
                            table.table())
                    .get(0, String.class);
            sums.put(
                    table.table(),
                    dsl.fetchOne("select count(*) || ':' || coalesce(md5(string_agg(r, ',' order by r)), '') from"
                                    + " (select md5(row_to_json(t)::text) r from (select " + columns + " from "
                                    + table.table() + " " + where + ") t) x")
                            .get(0, String.class));
        }
        return sums;
    }

    static long count(DSLContext dsl, TransferTable table) {
        return dsl.fetchOne("select count(*) from " + table.table()).get(0, Long.class);
    }

    static Path download(String path, String name) throws IOException, InterruptedException {
        HttpResponse<Path> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(source.url(path)))
                        .header("Authorization", "Bearer " + TestApi.ADMIN_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofFile(directory.resolve(name)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition").orElse(""))
                .startsWith("attachment; filename=\"clickledger-export-");
        return response.body();
    }

    static TestApi.Response upload(TestApi api, Path file) throws IOException {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/v1/import")))
                .header("Authorization", "Bearer " + TestApi.ADMIN_KEY)
                .header("Content-Type", "application/zip")
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofFile(file))
                .build());
    }

    private static void tamper(Path export, Path tampered) throws IOException {
        try (ZipFile zip = new ZipFile(export.toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(tampered))) {
            for (var entry : java.util.Collections.list(zip.entries())) {
                out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                if (entry.getName().equals("event.jsonl")) {
                    out.write(read(zip, entry.getName())
                            .replace("user-1", "user-X")
                            .getBytes(UTF_8));
                } else {
                    try (InputStream in = zip.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    static String read(ZipFile zip, String name) throws IOException {
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private static String json(String text) {
        try {
            return clickledger.web.Json.MAPPER.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static long countRows(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
