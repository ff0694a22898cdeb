package clickledger.api.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.rederive.RederiveService;
import clickledger.api.secret.SecretBox;
import clickledger.api.stats.ClickRollup;
import clickledger.api.storage.Storage;
import clickledger.api.webhook.WebhookEndpointId;
import clickledger.api.webhook.WebhookService;
import clickledger.api.webhook.WebhookSignature;
import clickledger.common.id.Ulid;
import clickledger.db.DataSources;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Imports a clickledger JSON export into this database, empty or not, in one transaction: ids are
 * kept, a row whose id (or other unique key) is already here is skipped and counted, and so is a
 * row whose parent is missing (a link whose partner was skipped), so one conflict never fails the
 * whole import. Then, outside that transaction, the click rollups of the imported days are rebuilt
 * and the re-derivation engine derives every imported program's attribution and commissions again
 * as a dry run, so the report shows where the destination's rules would differ from the imported
 * rows. Nothing is re-derived for real: the imported ledger is what was paid.
 */
public final class Importer {
    /** Differences listed per program in the report; the counts cover all of them. */
    static final int DIFFERENCES_SHOWN = 20;

    private static final int COPY_CHUNK = 64 * 1024;

    public record TableResult(String table, long rows, long inserted, long conflicts, long missingParent) {}

    public record ProgramCheck(
            String programId,
            int events,
            int added,
            int changed,
            int removed,
            List<RederiveService.Change> differences) {}

    public record Report(
            String schemaVersion, List<TableResult> tables, List<ProgramCheck> rederivation, List<String> notes) {}

    // A stored logo is at most 512 px a side, re-encoded: far below this. Anything larger in a zip
    // is not one, and is not read into memory.
    private static final int MAX_STORED_OBJECT_BYTES = 4 * 1024 * 1024;

    private final Exporter.Connections connections;
    private final RederiveService rederive;
    private final ClickRollup rollup;
    private final Optional<SecretBox> secrets;
    private final Storage storage;
    private final Clock clock;

    public Importer(
            Exporter.Connections connections,
            RederiveService rederive,
            ClickRollup rollup,
            Optional<SecretBox> secrets,
            Storage storage,
            Clock clock) {
        this.connections = requireNonNull(connections, "connections is null");
        this.rederive = requireNonNull(rederive, "rederive is null");
        this.rollup = requireNonNull(rollup, "rollup is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Report importZip(Path file, Principal actor, Progress progress) throws IOException, SQLException {
        try (ZipFile zip = open(file)) {
            JsonNode manifest = manifest(zip);
            List<TableResult> results = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            Written written;
            try (Connection connection = connections.open()) {
                connection.setAutoCommit(false);
                try {
                    checkSchema(connection, manifest);
                    written = writeTables(connection, zip, manifest, results, notes, progress);
                    new AuditRepository(DataSources.dsl(connection))
                            .append(new AuditEntry(
                                    clock.instant(),
                                    actor.actor(),
                                    "data.import",
                                    "import",
                                    null,
                                    Map.of("file", file.getFileName().toString(), "tables", counts(results))));
                    connection.commit();
                } catch (IOException | SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
            List<ProgramCheck> checks = afterImport(written, actor, notes);
            progress.done();
            return new Report(manifest.path("schemaVersion").asText(), results, checks, notes);
        }
    }

    /** What the post-import steps need: the imported clicks' days and the imported events' programs. */
    record Written(Optional<LocalDate> firstClickDay, Optional<LocalDate> lastClickDay, List<UUID> eventPrograms) {}

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile(), UTF_8);
        } catch (java.util.zip.ZipException e) {
            throw ApiException.badRequest("file", "is not a zip file (" + e.getMessage() + ")");
        }
    }

    private static JsonNode manifest(ZipFile zip) throws IOException {
        ZipEntry entry = zip.getEntry(Exporter.MANIFEST);
        if (entry == null) {
            throw ApiException.badRequest("file", "has no " + Exporter.MANIFEST + ": not a clickledger export");
        }
        JsonNode manifest;
        try (InputStream in = zip.getInputStream(entry)) {
            manifest = Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("file", Exporter.MANIFEST + " is not JSON");
        }
        if (!Exporter.MANIFEST_KIND.equals(manifest.path("kind").asText())) {
            throw ApiException.badRequest("file", "is not a clickledger export (its manifest says no kind)");
        }
        if (!ExportFormat.JSON.wire().equals(manifest.path("format").asText())) {
            throw ApiException.badRequest(
                    "file",
                    "is a " + manifest.path("format").asText() + " export; only the json format imports"
                            + " (restore a sql export with psql)");
        }
        return manifest;
    }

    private static void checkSchema(Connection connection, JsonNode manifest) throws SQLException {
        String theirs = manifest.path("schemaVersion").asText("0");
        String ours = Exporter.schemaVersion(connection);
        if (compareVersions(theirs, ours) > 0) {
            throw ApiException.badRequest(
                    "file",
                    "comes from schema version " + theirs + " and this database is at " + ours
                            + ": upgrade this clickledger first");
        }
    }

    static int compareVersions(String left, String right) {
        String[] a = left.split("\\.");
        String[] b = right.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length ? parseOrZero(a[i]) : 0;
            long y = i < b.length ? parseOrZero(b[i]) : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }

    private static long parseOrZero(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Written writeTables(
            Connection connection,
            ZipFile zip,
            JsonNode manifest,
            List<TableResult> results,
            List<String> notes,
            Progress progress)
            throws IOException, SQLException {
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        for (JsonNode entry : manifest.path("tables")) {
            String name = entry.path("name").asText();
            if (TransferTable.byName(name).isEmpty()) {
                notes.add("table " + name + " is not one this version imports; skipped");
                continue;
            }
            entries.put(name, entry);
        }
        Optional<LocalDate> firstDay = Optional.empty();
        Optional<LocalDate> lastDay = Optional.empty();
        List<UUID> eventPrograms = List.of();
        for (TransferTable table : TransferTable.values()) {
            JsonNode entry = entries.get(table.table());
            if (entry == null) {
                continue;
            }
            progress.table(table.table(), entry.path("rows").asLong());
            List<Column> columns = importedColumns(connection, table, entry, notes);
            String twin = "transfer_" + table.table();
            try (Statement statement = connection.createStatement()) {
                statement.execute("create temporary table " + twin + " (like " + table.table()
                        + " including defaults) on commit drop");
                for (String withheld : table.withheld()) {
                    statement.execute("alter table " + twin + " alter column \"" + withheld + "\" drop not null");
                }
            }
            long rows = copy(connection, zip, table, entry, columns, twin, progress);
            if (table == TransferTable.CLICK) {
                firstDay = day(connection, "select min(ts) from " + twin);
                lastDay = day(connection, "select max(ts) from " + twin);
                if (firstDay.isPresent()) {
                    PartitionMaintenance.ensureMonths(
                            DataSources.dsl(connection),
                            YearMonth.from(firstDay.get()),
                            YearMonth.from(lastDay.orElseThrow()));
                }
            }
            if (table == TransferTable.WEBHOOK_ENDPOINT) {
                sealNewSecrets(connection, twin, notes);
            }
            if (table.namesStoredObjects()) {
                storeLogos(connection, zip, twin, notes);
            }
            results.add(insert(connection, table, columns, twin, rows));
            if (table == TransferTable.EVENT) {
                eventPrograms = uuids(connection, "select distinct program_id from " + twin);
            }
        }
        try (Statement statement = connection.createStatement()) {
            // audit_log ids are an identity column: imported ids would otherwise collide with the next entries.
            statement.execute("select setval(pg_get_serial_sequence('audit_log', 'id'),"
                    + " greatest((select max(id) from audit_log), 1))");
        }
        return new Written(firstDay, lastDay, eventPrograms);
    }

    private static List<Column> importedColumns(
            Connection connection, TransferTable table, JsonNode entry, List<String> notes) throws SQLException {
        List<Column> destination = Column.of(connection, table.table(), table.withheld());
        Set<String> exported = new java.util.HashSet<>();
        entry.path("columns").fieldNames().forEachRemaining(exported::add);
        List<Column> columns = destination.stream()
                .filter(column -> exported.contains(column.name()))
                .toList();
        for (String name : exported) {
            if (destination.stream().noneMatch(column -> column.name().equals(name))) {
                notes.add(table.table() + "." + name + " is not a column here; its values were not imported");
            }
        }
        return columns;
    }

    private static long copy(
            Connection connection,
            ZipFile zip,
            TransferTable table,
            JsonNode entry,
            List<Column> columns,
            String twin,
            Progress progress)
            throws IOException, SQLException {
        String file = entry.path("file").asText();
        ZipEntry zipEntry = zip.getEntry(file);
        if (zipEntry == null) {
            throw ApiException.badRequest("file", "lacks " + file + ", which its manifest lists");
        }
        MessageDigest digest = sha256();
        long rows = 0;
        CopyIn copy = connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("copy " + twin + " (" + Column.list(columns, "") + ") from stdin");
        try (InputStream raw = zip.getInputStream(zipEntry);
                DigestInputStream in = new DigestInputStream(raw, digest);
                // The parser must not close the stream: the rest is drained below, so the checksum covers every byte.
                MappingIterator<JsonNode> lines = Json.MAPPER
                        .readerFor(JsonNode.class)
                        .without(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE)
                        .readValues(in)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(COPY_CHUNK + 4096);
            StringBuilder line = new StringBuilder(512);
            while (lines.hasNext()) {
                JsonNode row = lines.next();
                if (!row.isObject()) {
                    throw ApiException.badRequest("file", file + " line " + (rows + 1) + " is not a JSON object");
                }
                line.setLength(0);
                for (int i = 0; i < columns.size(); i++) {
                    if (i > 0) {
                        line.append('\t');
                    }
                    CopyText.append(line, columns.get(i), row.get(columns.get(i).name()));
                }
                line.append('\n');
                buffer.writeBytes(line.toString().getBytes(UTF_8));
                rows++;
                if (buffer.size() >= COPY_CHUNK) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
                if (rows % 1000 == 0) {
                    progress.rows(1000);
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
            if (buffer.size() > 0) {
                copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            }
            copy.endCopy();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("file", file + " is not JSON Lines: " + e.getOriginalMessage());
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        progress.rows(rows % 1000);
        String expected = entry.path("sha256").asText();
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!expected.isEmpty() && !expected.equals(actual)) {
            throw ApiException.badRequest("file", file + " does not match its checksum in the manifest: damaged");
        }
        if (entry.has("rows") && entry.path("rows").asLong() != rows) {
            throw ApiException.badRequest(
                    "file",
                    file + " holds " + rows + " rows and its manifest says "
                            + entry.path("rows").asLong());
        }
        return rows;
    }

    /**
     * Exports carry no signing secrets, so each imported endpoint gets a new one, sealed with this
     * install's key, and arrives disabled: its receiver must be given the new secret first.
     */
    private void sealNewSecrets(Connection connection, String twin, List<String> notes) throws SQLException {
        List<UUID> ids = uuids(connection, "select id from " + twin);
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(
                "update " + twin + " set secret_enc = ?, enabled = false, disabled_reason = ? where id = ?")) {
            for (UUID id : ids) {
                byte[] sealed = secrets.map(box -> box.seal(
                                WebhookSignature.newSecret(), WebhookService.sealContext(new WebhookEndpointId(id))))
                        .orElse(new byte[0]);
                update.setBytes(1, sealed);
                update.setString(2, "imported: rotate its secret, give it to the receiver, then enable");
                update.setObject(3, id);
                update.addBatch();
            }
            update.executeBatch();
        }
        notes.add(ids.size() + " webhook endpoint(s) arrive disabled with a new signing secret: rotate it"
                + " (POST /v1/webhooks/{id}/rotate-secret), hand it to the receiver, then enable the endpoint");
    }

    /**
     * Puts each imported logo's image (from {@code storage/<key>} in the zip) into this install's
     * storage before the row that names it is inserted, as an upload does. The key is computed
     * again from the program and the image's hash, never taken from the file; an image that is
     * missing, damaged (its hash is not the row's) or not a PNG or JPEG drops its row, with a note.
     * A program that already has a logo here keeps it (the row counts as a conflict), and nothing
     * is stored for it.
     */
    private void storeLogos(Connection connection, ZipFile zip, String twin, List<String> notes)
            throws IOException, SQLException {
        record Row(UUID programId, String key, String contentType, String sha256) {}
        List<Row> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select program_id, storage_key, content_type, sha256 from "
                        + twin + " t where exists (select 1 from program p where p.id = t.program_id)"
                        + " and not exists (select 1 from program_logo l where l.program_id = t.program_id)")) {
            while (result.next()) {
                rows.add(new Row(
                        result.getObject(1, UUID.class),
                        result.getString(2),
                        result.getString(3),
                        result.getString(4)));
            }
        }
        try (PreparedStatement drop = connection.prepareStatement("delete from " + twin + " where program_id = ?");
                PreparedStatement rekey =
                        connection.prepareStatement("update " + twin + " set storage_key = ? where program_id = ?")) {
            for (Row row : rows) {
                Optional<byte[]> image = storedObject(zip, row.key());
                if (image.isEmpty() || !ProgramLogos.isStoredLogo(image.get(), row.sha256(), row.contentType())) {
                    notes.add("the logo of program " + Ulid.encode(row.programId()) + " was "
                            + (image.isEmpty() ? "not in the export" : "damaged in the export")
                            + "; the program was imported without it");
                    drop.setObject(1, row.programId());
                    drop.executeUpdate();
                    continue;
                }
                String key = ProgramLogos.key(row.programId(), row.sha256(), row.contentType());
                storage.put(key, image.get(), row.contentType());
                rekey.setString(1, key);
                rekey.setObject(2, row.programId());
                rekey.executeUpdate();
            }
        }
    }

    private static Optional<byte[]> storedObject(ZipFile zip, String key) throws IOException {
        ZipEntry entry = zip.getEntry(Exporter.STORAGE_PREFIX + key);
        if (entry == null) {
            return Optional.empty();
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(MAX_STORED_OBJECT_BYTES + 1);
            return bytes.length > MAX_STORED_OBJECT_BYTES ? Optional.empty() : Optional.of(bytes);
        }
    }

    private static TableResult insert(
            Connection connection, TransferTable table, List<Column> columns, String twin, long rows)
            throws SQLException {
        List<Column> written = new ArrayList<>(columns);
        if (table == TransferTable.WEBHOOK_ENDPOINT) {
            written.add(new Column("secret_enc", "bytea"));
        }
        String list = Column.list(written, "");
        String overriding = table == TransferTable.AUDIT_LOG ? " overriding system value" : "";
        String parentsPresent = parentsPresent(table);
        long inserted = 0;
        try (Statement statement = connection.createStatement()) {
            Optional<TransferTable.Parent> self = table.selfReference();
            // A refund's event (or a reversal's commission) may be in the same import: parents first.
            List<String> passes = self.isPresent()
                    ? List.of(
                            "t.\"" + self.get().column() + "\" is null",
                            "t.\"" + self.get().column() + "\" is not null")
                    : List.of("true");
            for (String pass : passes) {
                inserted += statement.executeUpdate("insert into " + table.table() + " (" + list + ")" + overriding
                        + " select " + Column.list(written, "t.") + " from " + twin + " t where " + pass + " and "
                        + parentsPresent + " on conflict do nothing");
            }
            long missingParent = 0;
            if (!table.parents().isEmpty()) {
                try (ResultSet count = statement.executeQuery(
                        "select count(*) from " + twin + " t where not (" + parentsPresent + ")")) {
                    count.next();
                    missingParent = count.getLong(1);
                }
            }
            return new TableResult(table.table(), rows, inserted, rows - inserted - missingParent, missingParent);
        }
    }

    private static String parentsPresent(TransferTable table) {
        if (table.parents().isEmpty()) {
            return "true";
        }
        List<String> conditions = new ArrayList<>();
        for (TransferTable.Parent parent : table.parents()) {
            conditions.add("(t.\"" + parent.column() + "\" is null or exists (select 1 from " + parent.table()
                    + " p where p.id = t.\"" + parent.column() + "\"))");
        }
        return String.join(" and ", conditions);
    }

    private List<ProgramCheck> afterImport(Written written, Principal actor, List<String> notes) {
        if (written.firstClickDay().isPresent()) {
            rollup.rebuild(written.firstClickDay().get(), written.lastClickDay().orElseThrow());
        }
        List<ProgramCheck> checks = new ArrayList<>();
        Instant to = clock.instant().plus(Duration.ofDays(1));
        for (UUID program : written.eventPrograms()) {
            RederiveService.Result result =
                    rederive.rederive(new RederiveService.Request(program, null, Instant.EPOCH, to, true), actor);
            List<RederiveService.Change> differences = new ArrayList<>();
            for (List<RederiveService.Change> kind : List.of(result.added(), result.changed(), result.removed())) {
                kind.stream().limit(DIFFERENCES_SHOWN - differences.size()).forEach(differences::add);
            }
            checks.add(new ProgramCheck(
                    Ulid.encode(program),
                    result.events(),
                    result.added().size(),
                    result.changed().size(),
                    result.removed().size(),
                    differences));
            int total = result.added().size()
                    + result.changed().size()
                    + result.removed().size();
            if (total > 0) {
                notes.add("program " + Ulid.encode(program) + ": re-deriving its " + result.events()
                        + " events under this install's rules gives " + total + " different commission(s);"
                        + " the imported ones were kept. Apply with POST /v1/attribution/rederive"
                        + " {\"programId\":\"" + Ulid.encode(program) + "\",\"dryRun\":false} if you want them");
            }
        }
        return checks;
    }

    private static Map<String, Object> counts(List<TableResult> results) {
        Map<String, Object> counts = new LinkedHashMap<>();
        results.forEach(result -> counts.put(result.table(), result.inserted()));
        return counts;
    }

    private static Optional<LocalDate> day(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            OffsetDateTime value = row.getObject(1, OffsetDateTime.class);
            return Optional.ofNullable(value)
                    .map(ts -> ts.atZoneSameInstant(ZoneOffset.UTC).toLocalDate());
        }
    }

    private static List<UUID> uuids(Connection connection, String sql) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
