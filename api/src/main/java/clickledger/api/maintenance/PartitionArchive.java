package clickledger.api.maintenance;

import static java.util.Objects.requireNonNull;

import clickledger.api.storage.Storage;
import clickledger.api.transfer.Exporter;
import clickledger.db.partition.PartitionMaintenance;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional last step of click retention (CLICK_ARCHIVE=true): a month that
 * CLICK_RETENTION_MONTHS detached is written as gzipped CSV with a header row to a staging file,
 * checked against the table's row count, stored as {@code archive/click/click_y2025m01.csv.gz} in
 * the api's storage (a directory or an S3 bucket), and only then dropped. Without it, detached
 * months stay as plain tables for the operator to archive by hand. A failure anywhere keeps the
 * table, and the next run tries again.
 */
public final class PartitionArchive {
    public static final String PREFIX = "archive/click/";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionArchive.class);

    private final Exporter.Connections connections;
    private final Storage storage;
    private final Path staging;

    /**
     * @param connections connections straight to PostgreSQL (DATABASE_URL_DIRECT): the advisory
     *     lock is a session's, which a transaction-mode PgBouncer would not keep
     * @param staging a directory for the file while it is written and checked
     */
    public PartitionArchive(Exporter.Connections connections, Storage storage, Path staging) {
        this.connections = requireNonNull(connections, "connections is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.staging = requireNonNull(staging, "staging is null");
    }

    public static String key(String table) {
        return PREFIX + table + ".csv.gz";
    }

    /** Archives and drops every detached month (this run's and any an earlier run left). */
    public List<String> archiveDetached() throws SQLException, IOException {
        List<String> archived = new ArrayList<>();
        try (Connection connection = connections.open()) {
            // One replica archives at a time; the others find nothing left on their next run.
            if (!advisoryLock(connection, "pg_try_advisory_lock")) {
                return archived;
            }
            try {
                for (String table : PartitionMaintenance.detachedMonths(connection)) {
                    archive(connection, table);
                    archived.add(table);
                }
            } finally {
                advisoryLock(connection, "pg_advisory_unlock");
            }
        }
        return archived;
    }

    private static boolean advisoryLock(Connection connection, String function) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery("select " + function + "(hashtext('clickledger.click_archive'))")) {
            result.next();
            return result.getBoolean(1);
        }
    }

    private void archive(Connection connection, String table) throws SQLException, IOException {
        Files.createDirectories(staging);
        Path file = staging.resolve(table + ".csv.gz.partial");
        try {
            long rows;
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 64 * 1024)) {
                rows = connection
                        .unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyOut("copy " + table + " to stdout with (format csv, header)", out);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            long count;
            try (Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("select count(*) from " + table)) {
                result.next();
                count = result.getLong(1);
            }
            if (count != rows) {
                throw new IOException(table + " changed while it was archived (" + rows + " of " + count + " rows)");
            }
            String key = key(table);
            storage.put(key, file, "application/gzip");
            try (Statement statement = connection.createStatement()) {
                statement.execute("drop table " + table);
            }
            LOG.atInfo()
                    .addKeyValue("partition", table)
                    .addKeyValue("rows", rows)
                    .addKeyValue("bytes", Files.size(file))
                    .addKeyValue("object", storage.describe() + "/" + key)
                    .log("click partition archived and dropped");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
