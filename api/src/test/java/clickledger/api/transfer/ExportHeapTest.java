package clickledger.api.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.testkit.PostgresFixture;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export is streamed: {@code java -jar api.jar export} (the CLI behind {@code make export}) run
 * with a 48 MB heap writes {@value #CLICKS} clicks, more than twice that heap as JSON, and its
 * manifest counts every row. An export that held a table in memory would die of
 * OutOfMemoryError here. (bench/scenarios/57-export.sh does the same at 10 million clicks.)
 */
class ExportHeapTest {
    static final int CLICKS = 400_000;

    @TempDir
    Path directory;

    @Test
    void aLargeClickTableExportsThroughASmallHeap() throws Exception {
        try (TestApi api = TestApi.start()) {
            Ledger ledger = new Ledger(api);
            String program = ledger.program("USD", "last_click", "[]");
            Ledger.Partner partner = ledger.partner(program);
            // Within the api's current month, with a user agent and landing URL a real click has.
            api.dsl()
                    .execute(
                            """
                            insert into click (id, ts, link_id, program_id, partner_id, user_agent, landing_url, is_bot)
                            select (lpad(to_hex(1893456000000 + g), 12, '0') || substr(md5(g::text), 1, 20))::uuid,
                                   to_timestamp((1893456000000 + g) / 1000.0), l.id, l.program_id, l.partner_id,
                                   'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36',
                                   'https://shop.example.com/landing/partner/' || g, false
                            from generate_series(1, ?) g, link l where l.id = cast(? as uuid)""",
                            CLICKS,
                            clickledger.common.id.Ulid.parse(partner.linkId())
                                    .orElseThrow()
                                    .toString());
            String url =
                    PostgresFixture.postgresUrl(api.app().database().config().direct());
            Path out = directory.resolve("export.zip");

            ProcessBuilder builder = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx48m",
                            "-XX:+ExitOnOutOfMemoryError",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "clickledger.api.Main",
                            "export",
                            "--tables",
                            "click",
                            "--out",
                            out.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("cli.log").toFile());
            builder.environment().put("DATABASE_URL", url);
            builder.environment().put("LOG_FORMAT", "text");
            Process cli = builder.start();
            assertThat(cli.waitFor(5, TimeUnit.MINUTES)).isTrue();
            String log = Files.readString(directory.resolve("cli.log"), UTF_8);
            assertThat(cli.exitValue()).as(log).isZero();
            // The progress line's summary: rows and rows/s.
            assertThat(log).containsPattern("rows/s");

            assertThat(Files.size(out)).isGreaterThan(5L * 1024 * 1024);
            try (ZipFile zip = new ZipFile(out.toFile())) {
                JsonNode manifest = Json.MAPPER.readTree(zip.getInputStream(zip.getEntry("manifest.json")));
                List<JsonNode> tables = new java.util.ArrayList<>();
                manifest.get("tables").forEach(tables::add);
                assertThat(tables).hasSize(1);
                assertThat(tables.getFirst().get("rows").asLong()).isEqualTo(CLICKS);
                assertThat(zip.getEntry("click.jsonl").getSize()).isGreaterThan(2L * 48 * 1024 * 1024);
            }
        }
    }
}
