package clickledger.api.transfer;

import clickledger.api.ApiConfig;
import clickledger.api.auth.Principal;
import clickledger.api.secret.SecretBox;
import clickledger.api.storage.Storage;
import clickledger.api.storage.StorageConfig;
import clickledger.common.config.ConfigException;
import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.web.ApiException;
import clickledger.web.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code java -jar api.jar export|import …}: the api jar's small CLI behind {@code make export}
 * and {@code make import FILE=…}. It talks to PostgreSQL directly (DATABASE_URL), as the backup
 * scripts do, so it works without the api running, and shows a progress line for long runs.
 */
public final class TransferCli {
    static final String USAGE =
            """
            usage: java -jar api.jar export [--format json|csv|sql] [--tables a,b] [--program ID] [--out FILE]
                   java -jar api.jar import FILE [--json]
            Tables: %s. The database is DATABASE_URL (DATABASE_URL_DIRECT when set)."""
                    .formatted(String.join(", ", TransferTable.names()));
    // The audit trail's actor for what the CLI does: whoever can reach the database directly.
    private static final Principal CLI_ACTOR = new Principal(Principal.Kind.ADMIN, "cli");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private static final Setting SECRETS_KEY = Setting.optional(
                    ApiConfig.SECRETS_ENCRYPTION_KEY.name(),
                    "the api's key; `make import` needs it to seal new signing secrets for imported webhook endpoints")
            .asSecret();

    /**
     * What the CLI reads: the database settings, the api's storage (exports carry program logos
     * from it, imports put them there) and, to seal imported webhook secrets, the key.
     */
    public static final List<Setting> SETTINGS =
            DatabaseConfig.serviceSettings(concat(StorageConfig.SETTINGS, SECRETS_KEY));

    /** The CLI's configuration; {@link #config} reports every problem at once, as the services do. */
    public record Config(
            DatabaseConfig database, int clickRetentionMonths, StorageConfig storage, Optional<SecretBox> secrets) {}

    private static List<Setting> concat(List<Setting> settings, Setting last) {
        List<Setting> all = new ArrayList<>(settings);
        all.add(last);
        return List.copyOf(all);
    }

    private TransferCli() {}

    public static boolean handles(String[] args) {
        return args.length > 0 && List.of("export", "import", "help", "--help").contains(args[0]);
    }

    public static Config config(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment, SETTINGS);
        DatabaseConfig database = DatabaseConfig.fromEnv(env, 2);
        int retention = env.integer(DatabaseConfig.CLICK_RETENTION_MONTHS, 0, 1200);
        StorageConfig storage = StorageConfig.fromEnv(env);
        Optional<SecretBox> secrets = env.secret(SECRETS_KEY).flatMap(secret -> {
            Optional<SecretBox> box = SecretBox.fromBase64(secret.reveal());
            if (box.isEmpty()) {
                env.problem(ApiConfig.SECRETS_ENCRYPTION_KEY.name() + " must be base64 of exactly "
                        + SecretBox.KEY_BYTES + " bytes");
            }
            return box;
        });
        env.finish();
        return new Config(database, retention, storage, secrets);
    }

    /** Runs one command; the exit status: 0 done, 1 failed, 2 bad usage or configuration. */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (args[0].equals("help") || args[0].equals("--help")) {
            out.println(USAGE);
            return 0;
        }
        Config config;
        try {
            config = config(environment);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        Clock clock = Clock.systemUTC();
        boolean terminal = System.console() != null;
        try (Database database = Database.open(
                        "cli", config.database(), Metrics.newRegistry("cli"), clock, config.clickRetentionMonths());
                Storage storage = Storage.open(config.storage())) {
            Transfer transfer = Transfer.create(database, config.secrets(), storage, clock);
            return switch (args[0]) {
                case "export" -> export(transfer, args, out, err, clock, terminal);
                default -> importFile(transfer, args, out, err, clock, terminal);
            };
        } catch (ApiException e) {
            err.println(args[0] + ": " + e.getMessage());
            return 1;
        } catch (IOException | SQLException | RuntimeException e) {
            err.println(args[0] + " failed: " + e);
            return 1;
        }
    }

    private static int export(
            Transfer transfer, String[] args, PrintStream out, PrintStream err, Clock clock, boolean terminal)
            throws IOException, SQLException {
        ExportFormat format = ExportFormat.JSON;
        List<TransferTable> tables = List.of(TransferTable.values());
        UUID programId = null;
        Path file = null;
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--format" -> format = ExportFormat.fromWire("--format", required(args[i], value));
                case "--tables" -> tables = ExportRoutes.tables(required(args[i], value));
                case "--program" ->
                    programId = Ulid.parse(required(args[i], value))
                            .orElseThrow(() -> ApiException.badRequest("--program", "is not a program id"));
                case "--out" -> file = Path.of(required(args[i], value));
                default -> {
                    err.println("export: unknown option " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
            i++;
        }
        if (programId != null && !transfer.programExists(programId)) {
            throw ApiException.notFound("program " + Ulid.encode(programId));
        }
        if (file == null) {
            file = Path.of(
                    "exports",
                    "clickledger-" + STAMP.format(clock.instant().atOffset(ZoneOffset.UTC)) + format.fileSuffix());
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Exporter.Request request = new Exporter.Request(format, tables, programId);
        transfer.auditExport(request, CLI_ACTOR);
        // Under a temporary name until complete, so an interrupted export never looks like one.
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream stream = Files.newOutputStream(partial)) {
            transfer.exporter().export(request, stream, new ProgressLine(err, clock, terminal));
        } catch (IOException | SQLException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        out.println("Export written to " + file + " (" + Files.size(file) + " bytes).");
        return 0;
    }

    private static int importFile(
            Transfer transfer, String[] args, PrintStream out, PrintStream err, Clock clock, boolean terminal)
            throws IOException, SQLException {
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        boolean json = rest.remove("--json");
        if (rest.size() != 1) {
            err.println("import: name one file\n" + USAGE);
            return 2;
        }
        Path file = Path.of(rest.getFirst());
        if (!Files.isRegularFile(file)) {
            err.println("import: no such file: " + file);
            return 2;
        }
        Object report = transfer.importFile(file, CLI_ACTOR, new ProgressLine(err, clock, terminal));
        if (json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else {
            out.println(ImportSummary.text(report));
        }
        return 0;
    }

    private static String required(String option, String value) {
        if (value == null || value.startsWith("--")) {
            throw ApiException.badRequest(option, "needs a value");
        }
        return value;
    }
}
