package clickledger.api.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import clickledger.api.storage.Storage;
import clickledger.common.crypto.Sha256;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.postgresql.PGConnection;

/**
 * Writes an export as it reads it: every table through a server-side cursor (or COPY for the SQL
 * form), straight into the output stream, so memory stays flat whatever the table's size. All
 * tables are read in one repeatable-read transaction, so the export is one consistent snapshot
 * even while clicks keep arriving.
 */
public final class Exporter {
    /** The format of the manifest, so a reader can tell an export from any other zip. */
    public static final String MANIFEST_KIND = "clickledger-export";

    public static final String MANIFEST = "manifest.json";
    // Rows fetched per round trip: big enough to amortise it, small enough that a batch of wide
    // click rows stays well under a megabyte.
    private static final int FETCH_SIZE = 1000;

    /** Opens a connection for one export; the exporter closes it. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    public record Request(ExportFormat format, List<TransferTable> tables, UUID programId) {
        public Request {
            requireNonNull(format, "format is null");
            tables = List.copyOf(tables);
        }
    }

    /** Where a zip export keeps the storage's objects its rows name (program logos): {@code storage/<key>}. */
    public static final String STORAGE_PREFIX = "storage/";

    private final Connections connections;
    private final Storage storage;
    private final Clock clock;

    public Exporter(Connections connections, Storage storage, Clock clock) {
        this.connections = requireNonNull(connections, "connections is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void export(Request request, OutputStream out, Progress progress) throws IOException, SQLException {
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                ObjectNode manifest = manifest(connection, request);
                if (request.format() == ExportFormat.SQL) {
                    new SqlScript(connection, request, manifest, progress).write(out);
                } else {
                    zip(connection, request, manifest, out, progress);
                }
                progress.done();
            } finally {
                connection.rollback();
            }
        }
    }

    private ObjectNode manifest(Connection connection, Request request) throws SQLException {
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        manifest.put("kind", MANIFEST_KIND);
        manifest.put("schemaVersion", schemaVersion(connection));
        manifest.put("format", request.format().wire());
        manifest.put("exportedAt", clock.instant().toString());
        manifest.put("programId", request.programId() == null ? null : Ulid.encode(request.programId()));
        manifest.putArray("tables");
        return manifest;
    }

    /** The newest Flyway migration applied: what the rows' shape is. */
    static String schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "select version from flyway_schema_history where success and version is not null"
                                + " order by installed_rank desc limit 1")) {
            return row.next() ? row.getString(1) : "0";
        }
    }

    static long estimatedRows(Connection connection, TransferTable table) throws SQLException {
        // The planner's estimate, summed over partitions: instant, where count(*) of ten million
        // clicks would take seconds before the first byte.
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "select coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint from pg_class c"
                                + " where c.oid = 'public." + table.table() + "'::regclass"
                                + " or c.oid in (select inhrelid from pg_inherits where inhparent = 'public."
                                + table.table() + "'::regclass)")) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    static String select(List<Column> columns, TransferTable table, UUID programId) {
        return "select " + Column.list(columns, "") + " from " + table.table() + " where " + table.condition(programId)
                + " order by 1";
    }

    private void zip(Connection connection, Request request, ObjectNode manifest, OutputStream out, Progress progress)
            throws IOException, SQLException {
        ZipOutputStream zip = new ZipOutputStream(out, UTF_8);
        ArrayNode entries = (ArrayNode) manifest.get("tables");
        for (TransferTable table : request.tables()) {
            List<Column> columns = Column.of(connection, table.table(), table.withheld());
            String file = table.table() + (request.format() == ExportFormat.CSV ? ".csv" : ".jsonl");
            progress.table(table.table(), estimatedRows(connection, table));
            zip.putNextEntry(new ZipEntry(file));
            Digesting digesting = new Digesting(zip);
            long rows = request.format() == ExportFormat.CSV
                    ? csv(connection, table, columns, request.programId(), digesting, progress)
                    : jsonLines(connection, table, columns, request.programId(), digesting, progress);
            zip.closeEntry();
            ObjectNode entry = entries.addObject();
            entry.put("name", table.table());
            entry.put("file", file);
            entry.put("rows", rows);
            entry.put("sha256", digesting.hex());
            ObjectNode types = entry.putObject("columns");
            columns.forEach(column -> types.put(column.name(), column.type()));
            if (table.namesStoredObjects()) {
                storedObjects(connection, table, request.programId(), zip, entry);
            }
        }
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.closeEntry();
        zip.finish();
        zip.flush();
    }

    /**
     * The storage objects the table's exported rows name (program logos, a few KB each), read in
     * the same snapshot, each as {@code storage/<key>} in the zip and listed in the table's manifest
     * entry with its SHA-256. An object missing from the storage is listed as missing: the import
     * then skips its row rather than naming an image that is not there.
     */
    private void storedObjects(
            Connection connection, TransferTable table, UUID programId, ZipOutputStream zip, ObjectNode entry)
            throws IOException, SQLException {
        ArrayNode files = entry.putArray("files");
        ArrayNode missing = entry.putArray("missingFiles");
        try (Statement statement = cursor(connection);
                ResultSet rows = statement.executeQuery("select storage_key from " + table.table() + " where "
                        + table.condition(programId) + " order by 1")) {
            while (rows.next()) {
                String key = rows.getString(1);
                Optional<byte[]> bytes = storage.get(key);
                if (bytes.isEmpty()) {
                    missing.add(key);
                    continue;
                }
                zip.putNextEntry(new ZipEntry(STORAGE_PREFIX + key));
                zip.write(bytes.get());
                zip.closeEntry();
                ObjectNode file = files.addObject();
                file.put("name", STORAGE_PREFIX + key);
                file.put("bytes", bytes.get().length);
                file.put("sha256", sha256Hex(bytes.get()));
            }
        }
    }

    private static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.digest(bytes));
    }

    private static long jsonLines(
            Connection connection,
            TransferTable table,
            List<Column> columns,
            UUID programId,
            OutputStream out,
            Progress progress)
            throws IOException, SQLException {
        JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        long rows = 0;
        try (Statement statement = cursor(connection);
                ResultSet result = statement.executeQuery(select(columns, table, programId))) {
            while (result.next()) {
                json.writeStartObject();
                for (int i = 0; i < columns.size(); i++) {
                    Column column = columns.get(i);
                    json.writeFieldName(column.name());
                    writeJson(json, column, result, i + 1);
                }
                json.writeEndObject();
                json.writeRaw('\n');
                rows = counted(rows, progress);
            }
        }
        json.flush();
        progress.rows(rows % FETCH_SIZE);
        return rows;
    }

    private static void writeJson(JsonGenerator json, Column column, ResultSet result, int index)
            throws IOException, SQLException {
        if (column.isTimestamp()) {
            OffsetDateTime value = result.getObject(index, OffsetDateTime.class);
            if (value == null) {
                json.writeNull();
            } else {
                json.writeString(value.toInstant().toString());
            }
            return;
        }
        if (column.isArray()) {
            Array array = result.getArray(index);
            if (array == null) {
                json.writeNull();
                return;
            }
            json.writeStartArray();
            for (Object element : (Object[]) array.getArray()) {
                json.writeString(element == null ? null : element.toString());
            }
            json.writeEndArray();
            return;
        }
        String text = result.getString(index);
        if (text == null) {
            json.writeNull();
        } else if (column.isNumber()) {
            json.writeNumber(text);
        } else if (column.isBoolean()) {
            json.writeBoolean(text.equals("t") || text.equals("true"));
        } else if (column.isJson()) {
            json.writeRawValue(text);
        } else {
            json.writeString(text);
        }
    }

    private static long csv(
            Connection connection,
            TransferTable table,
            List<Column> columns,
            UUID programId,
            OutputStream out,
            Progress progress)
            throws IOException, SQLException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, UTF_8), 64 * 1024);
        Csv csv = new Csv(writer);
        for (Column column : columns) {
            csv.plain(column.name());
        }
        csv.endLine();
        long rows = 0;
        try (Statement statement = cursor(connection);
                ResultSet result = statement.executeQuery(select(columns, table, programId))) {
            while (result.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    Column column = columns.get(i);
                    if (column.isTimestamp()) {
                        OffsetDateTime value = result.getObject(i + 1, OffsetDateTime.class);
                        csv.plain(value == null ? null : value.toInstant().toString());
                    } else if (column.isText()) {
                        csv.text(result.getString(i + 1));
                    } else {
                        csv.plain(result.getString(i + 1));
                    }
                }
                csv.endLine();
                rows = counted(rows, progress);
            }
        }
        writer.flush();
        progress.rows(rows % FETCH_SIZE);
        return rows;
    }

    private static long counted(long rows, Progress progress) {
        long next = rows + 1;
        if (next % FETCH_SIZE == 0) {
            progress.rows(FETCH_SIZE);
        }
        return next;
    }

    // autocommit is off, so PgJDBC reads through a portal FETCH_SIZE rows at a time.
    private static Statement cursor(Connection connection) throws SQLException {
        Statement statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        statement.setFetchSize(FETCH_SIZE);
        return statement;
    }

    /**
     * The psql script: per table, COPY into a temporary twin, then insert what is not there yet.
     * Restores into a migrated clickledger database, empty or not, like the importer does.
     */
    private static final class SqlScript {
        private final Connection connection;
        private final Request request;
        private final ObjectNode manifest;
        private final Progress progress;

        SqlScript(Connection connection, Request request, ObjectNode manifest, Progress progress) {
            this.connection = connection;
            this.request = request;
            this.manifest = manifest;
            this.progress = progress;
        }

        void write(OutputStream out) throws IOException, SQLException {
            Writer writer = new BufferedWriter(new OutputStreamWriter(new Unclosable(out), UTF_8), 64 * 1024);
            writer.write("-- clickledger export: schema version "
                    + manifest.get("schemaVersion").asText()
                    + ", exported " + manifest.get("exportedAt").asText()
                    + (request.programId() == null ? "" : ", program " + Ulid.encode(request.programId())) + "\n");
            writer.write("-- Restore into a clickledger database of the same schema version (empty or not):\n");
            writer.write("--   psql --no-psqlrc --file=this.sql \"$DATABASE_URL\"\n");
            writer.write("-- Rows whose id is already there are skipped, so running it twice adds nothing.\n");
            writer.write("-- Webhook endpoints arrive disabled and without a signing secret: rotate the secret"
                    + " (POST /v1/webhooks/{id}/rotate-secret with overlapHours 0), then enable them.\n");
            writer.write("\\set ON_ERROR_STOP on\n");
            writer.write("set client_min_messages = warning;\n");
            writer.write("begin;\n");
            PGConnection pg = connection.unwrap(PGConnection.class);
            for (TransferTable table : request.tables()) {
                if (table.namesStoredObjects()) {
                    writer.write("\n-- " + table.table() + ": not in a sql export. Its rows name images in the api's"
                            + " storage, which psql cannot write; export as json (the zip carries the images) or"
                            + " copy the storage.\n");
                    continue;
                }
                List<Column> columns = Column.of(connection, table.table(), table.withheld());
                String twin = "transfer_" + table.table();
                String list = Column.list(columns, "");
                progress.table(table.table(), estimatedRows(connection, table));
                writer.write("\n-- " + table.table() + "\n");
                writer.write("create temporary table " + twin + " (like " + table.table()
                        + " including defaults) on commit drop;\n");
                if (!table.withheld().isEmpty()) {
                    for (String column : table.withheld()) {
                        writer.write("alter table " + twin + " alter column \"" + column + "\" drop not null;\n");
                    }
                }
                writer.write("copy " + twin + " (" + list + ") from stdin;\n");
                writer.flush();
                RowCounter counter = new RowCounter(writer, progress);
                pg.getCopyAPI()
                        .copyOut("copy (" + select(columns, table, request.programId()) + ") to stdout", counter);
                counter.finish();
                writer.write("\\.\n");
                writer.write(insert(table, columns, twin));
            }
            writer.write("\nselect setval(pg_get_serial_sequence('audit_log', 'id'),"
                    + " greatest((select max(id) from audit_log), 1));\n");
            writer.write("commit;\n");
            writer.flush();
        }

        private static String insert(TransferTable table, List<Column> columns, String twin) {
            String list = Column.list(columns, "");
            String overriding = table == TransferTable.AUDIT_LOG ? " overriding system value" : "";
            if (table == TransferTable.WEBHOOK_ENDPOINT) {
                return "insert into webhook_endpoint (" + list + ", secret_enc) select " + list
                        + ", '\\x'::bytea from " + twin + " on conflict do nothing;\n"
                        + "update webhook_endpoint set enabled = false, disabled_reason = 'imported without its"
                        + " signing secret: rotate it, then enable' where secret_enc = '\\x'::bytea;\n";
            }
            return "insert into " + table.table() + " (" + list + ")" + overriding + " select " + list + " from " + twin
                    + " on conflict do nothing;\n";
        }
    }

    /** Counts COPY's rows (one line each: COPY escapes newlines inside values) as they pass. */
    private static final class RowCounter extends Writer {
        private final Writer out;
        private final Progress progress;
        private long pending;

        RowCounter(Writer out, Progress progress) {
            this.out = out;
            this.progress = progress;
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n' && ++pending == FETCH_SIZE) {
                    progress.rows(pending);
                    pending = 0;
                }
            }
            out.write(buffer, offset, length);
        }

        void finish() {
            progress.rows(pending);
            pending = 0;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {}
    }

    /** Hashes what passes through; closing it leaves the zip open for the next entry. */
    private static final class Digesting extends FilterOutputStream {
        private final MessageDigest digest;

        Digesting(OutputStream out) {
            super(out);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            digest.update((byte) b);
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            digest.update(bytes, offset, length);
            out.write(bytes, offset, length);
        }

        @Override
        public void close() {}

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private static final class Unclosable extends FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
