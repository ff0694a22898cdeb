package clickledger.bench;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Checks a file of crefs (one per line, as {@link LoadClient} wrote them) against PostgreSQL:
 * every cref a client received must be a row of {@code click}, exactly once. Rows are counted by
 * click id alone: the primary key is {@code (id, ts)} and {@code ts} derives from the id, so a
 * second row of the same click can only exist with another {@code ts} (a replay that computed the
 * time differently), and a check by {@code (id, ts)} could never see it (VerifyTest). With
 * {@code --wait}, it polls until all are present or the time is up (the spool replays after an
 * outage), and reports how long that took.
 */
final class Verify {
    private Verify() {}

    static Map<String, Object> run(Args args) throws Exception {
        Path crefs = Path.of(args.string("crefs"));
        Duration wait = args.duration("wait", Duration.ZERO);
        List<String> lines = Files.readAllLines(crefs, StandardCharsets.US_ASCII);
        String copy = toUuids(lines);
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        try (Connection connection = Db.connect(args.string("database-url"))) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("create temp table received (id uuid not null)");
            }
            connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("copy received (id) from stdin", new StringReader(copy));
            try (Statement statement = connection.createStatement()) {
                statement.execute("create index on received (id)");
                statement.execute("analyze received");
            }
            Map<String, Object> result;
            while (true) {
                result = check(connection);
                long missing = (Long) result.get("missing");
                if (missing == 0 || System.nanoTime() >= deadline) {
                    break;
                }
                Thread.sleep(500);
            }
            result.put("secondsUntilComplete", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
            result.put("exactlyOnce", (Long) result.get("missing") == 0 && (Long) result.get("duplicated") == 0);
            return result;
        }
    }

    private static Map<String, Object> check(Connection connection) throws SQLException {
        Map<String, Object> result = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement()) {
            result.put("received", single(statement, "select count(*) from received"));
            result.put("receivedTwice", single(statement, "select count(*) - count(distinct id) from received"));
            result.put(
                    "missing",
                    single(
                            statement,
                            "select count(*) from received r where not exists (select 1 from click c where c.id = r.id)"));
            result.put(
                    "duplicated",
                    single(
                            statement,
                            "select count(*) from (select c.id from click c join (select distinct id from received) r"
                                    + " on c.id = r.id group by c.id having count(*) > 1) d"));
        }
        return result;
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String toUuids(List<String> lines) throws IOException {
        StringBuilder out = new StringBuilder(lines.size() * 37);
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            out.append(clickledger.common.id.Ulid.parse(line.trim())
                            .orElseThrow(() -> new IOException("not a cref: " + line)))
                    .append('\n');
        }
        return out.toString();
    }
}
