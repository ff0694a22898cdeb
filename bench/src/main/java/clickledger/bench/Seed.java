package clickledger.bench;

import clickledger.common.id.Ulid;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Bench data written straight into PostgreSQL with COPY (the api would take minutes for a million
 * links). Triggers are off for the session ({@code session_replication_role = replica}): the link
 * NOTIFY trigger would otherwise queue one notification per row; the router is started (or
 * restarted) after seeding and loads the links in one pass, which is what the cache scenario times.
 */
final class Seed {
    private static final int COPY_ROWS = 50_000;

    private Seed() {}

    /** {@code --prefix bench- --count 100}: links bench-1 … bench-100 of one program and partner. */
    static Map<String, Object> links(Args args) throws Exception {
        String prefix = args.string("prefix", "bench-");
        int count = args.integer("count", 100);
        long start = System.nanoTime();
        try (Connection connection = Db.connect(args.string("database-url"))) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("set session_replication_role = replica");
            }
            UUID program = program(connection, "bench", null, "last_click");
            UUID partner = partner(connection, "bench-partner@example.com", program);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder rows = new StringBuilder();
            for (int i = 1; i <= count; i++) {
                rows.append(Ulid.newUuidV7(System.currentTimeMillis()))
                        .append('\t')
                        .append(prefix)
                        .append(i)
                        .append('\t')
                        .append(program)
                        .append('\t')
                        .append(partner)
                        .append('\n');
                if (i % COPY_ROWS == 0 || i == count) {
                    copy.copyIn(
                            "copy link (id, slug, program_id, partner_id) from stdin",
                            new StringReader(rows.toString()));
                    rows.setLength(0);
                }
            }
            connection.commit();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("links", count);
        result.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        return result;
    }

    static UUID program(Connection connection, String slug, String rules, String model) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement("select id from program where slug = ?")) {
            find.setString(1, slug);
            try (ResultSet row = find.executeQuery()) {
                if (row.next()) {
                    return row.getObject(1, UUID.class);
                }
            }
        }
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into program (id, slug, name, destination_url, currency, commission_rules, attribution_model)"
                        + " values (?, ?, ?, 'https://acme.example/landing?src=aff', 'USD', coalesce(?::jsonb, '[]'), ?)")) {
            insert.setObject(1, id);
            insert.setString(2, slug);
            insert.setString(3, "Bench " + slug);
            insert.setString(4, rules);
            insert.setString(5, model);
            insert.executeUpdate();
        }
        return id;
    }

    static UUID partner(Connection connection, String email, UUID program) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement("select id from partner where lower(email) = ?")) {
            find.setString(1, email);
            try (ResultSet row = find.executeQuery()) {
                if (row.next()) {
                    return row.getObject(1, UUID.class);
                }
            }
        }
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        try (PreparedStatement insert =
                connection.prepareStatement("insert into partner (id, email, name) values (?, ?, 'Bench partner')")) {
            insert.setObject(1, id);
            insert.setString(2, email);
            insert.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into partner_program (partner_id, program_id) values (?, ?) on conflict do nothing")) {
            insert.setObject(1, id);
            insert.setObject(2, program);
            insert.executeUpdate();
        }
        return id;
    }
}
