package clickledger.bench;

import clickledger.common.id.Ulid;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
            UUID program = program(connection, "bench", null);
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

    /**
     * An attribution program (10 % commission on every event) with {@code partners} partners,
     * and {@code users} users, each stitched to between 1 and {@code max-clicks} of their own
     * non-bot clicks spread over the last 50 days (inside the 60-day lookback).
     */
    static Map<String, Object> attribution(Args args) throws Exception {
        int users = args.integer("users", 5_000);
        int maxClicks = args.integer("max-clicks", 100);
        int partnerCount = args.integer("partners", 20);
        long start = System.nanoTime();
        long clicks = 0;
        UUID program;
        try (Connection connection = Db.connect(args.string("database-url"))) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("set session_replication_role = replica");
            }
            program = program(
                    connection, "attribution", "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]");
            List<UUID> partners = new ArrayList<>();
            List<UUID> links = new ArrayList<>();
            for (int p = 0; p < partnerCount; p++) {
                UUID partner = partner(connection, "attribution-" + p + "@example.com", program);
                partners.add(partner);
                UUID link = Ulid.newUuidV7(System.currentTimeMillis());
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)")) {
                    insert.setObject(1, link);
                    insert.setString(2, "attribution-" + p);
                    insert.setObject(3, program);
                    insert.setObject(4, partner);
                    insert.executeUpdate();
                }
                links.add(link);
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder clickRows = new StringBuilder();
            StringBuilder identityRows = new StringBuilder();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long now = System.currentTimeMillis();
            int pending = 0;
            for (int u = 1; u <= users; u++) {
                int count = 1 + random.nextInt(maxClicks);
                for (int c = 0; c < count; c++) {
                    int p = random.nextInt(partnerCount);
                    long ts = now - random.nextLong(50L * 86_400_000L);
                    UUID id = Ulid.newUuidV7(ts);
                    String instant = Instant.ofEpochMilli(ts).toString();
                    clickRows
                            .append(id)
                            .append('\t')
                            .append(instant)
                            .append('\t')
                            .append(links.get(p))
                            .append('\t')
                            .append(program)
                            .append('\t')
                            .append(partners.get(p))
                            .append("\tMozilla/5.0 clickledger-bench\tf\n");
                    identityRows
                            .append(Ulid.newUuidV7(ts))
                            .append('\t')
                            .append(program)
                            .append('\t')
                            .append(id)
                            .append('\t')
                            .append(instant)
                            .append("\tuser-")
                            .append(u)
                            .append('\t')
                            .append(instant)
                            .append('\n');
                    clicks++;
                    if (++pending >= COPY_ROWS) {
                        flushAttribution(copy, clickRows, identityRows);
                        pending = 0;
                    }
                }
            }
            flushAttribution(copy, clickRows, identityRows);
            connection.commit();
            try (Statement statement = connection.createStatement()) {
                connection.setAutoCommit(true);
                statement.execute("analyze click");
                statement.execute("analyze identity");
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("programId", program.toString());
        result.put("users", users);
        result.put("clicks", clicks);
        result.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        return result;
    }

    private static void flushAttribution(CopyManager copy, StringBuilder clicks, StringBuilder identities)
            throws SQLException, IOException {
        if (clicks.isEmpty()) {
            return;
        }
        copy.copyIn(
                "copy click (id, ts, link_id, program_id, partner_id, user_agent, is_bot) from stdin",
                new StringReader(clicks.toString()));
        copy.copyIn(
                "copy identity (id, program_id, click_id, click_ts, user_id, ts) from stdin",
                new StringReader(identities.toString()));
        clicks.setLength(0);
        identities.setLength(0);
    }

    private static UUID program(Connection connection, String slug, String rules) throws SQLException {
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
                "insert into program (id, slug, name, destination_url, currency, commission_rules)"
                        + " values (?, ?, ?, 'https://acme.example/landing?src=aff', 'USD', coalesce(?::jsonb, '[]'))")) {
            insert.setObject(1, id);
            insert.setString(2, slug);
            insert.setString(3, "Bench " + slug);
            insert.setString(4, rules);
            insert.executeUpdate();
        }
        return id;
    }

    private static UUID partner(Connection connection, String email, UUID program) throws SQLException {
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
