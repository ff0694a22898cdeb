package clickledger.bench;

import clickledger.common.id.Ulid;
import clickledger.db.click.ClickInsert;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The database's own ceiling for click inserts, measured with nothing in front of it: {@code
 * connections} threads insert {@code batch}-row batches of router-like clicks into {@code click}
 * for {@code duration}, each batch one autocommit statement (so one WAL flush, as the router's
 * group commit does), either as the router's {@code insert … select from unnest(arrays) on
 * conflict do nothing} or as a binary {@code COPY}. Its clicks stay (their user agent ends in
 * "clickledger-ceiling"); the bench database is thrown away after the run.
 */
final class WriteCeiling {
    static final String COPY = "copy click (id, ts, link_id, program_id, partner_id, ip_hash, user_agent, landing_url,"
            + " is_bot) from stdin (format binary)";
    private static final String USER_AGENT =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    // PostgreSQL's binary timestamps count microseconds from 2000-01-01.
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private WriteCeiling() {}

    static Map<String, Object> run(Args args) throws Exception {
        String url = args.string("database-url");
        String method = args.string("method", "unnest");
        int connections = args.integer("connections", 1);
        int batch = args.integer("batch", 500);
        Duration duration = args.duration("duration", Duration.ofSeconds(5));
        UUID link;
        UUID program;
        UUID partner;
        try (Connection connection = Db.connect(url);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select id, program_id, partner_id from link limit 1")) {
            if (!row.next()) {
                throw new IllegalStateException("seed a link first");
            }
            link = row.getObject(1, UUID.class);
            program = row.getObject(2, UUID.class);
            partner = row.getObject(3, UUID.class);
        }
        AtomicLong rows = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection connection = Db.connect(url)) {
                    while (System.nanoTime() < deadline) {
                        if (method.equals("copy")) {
                            copy(connection, batch, link, program, partner);
                        } else {
                            unnest(connection, batch, link, program, partner);
                        }
                        rows.addAndGet(batch);
                    }
                } catch (SQLException | IOException | RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("write ceiling failed", failures.getFirst());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("method", method);
        result.put("connections", connections);
        result.put("batch", batch);
        result.put("rows", rows.get());
        result.put("rowsPerSecond", Math.round(rows.get() / seconds));
        return result;
    }

    private static void unnest(Connection connection, int size, UUID link, UUID program, UUID partner)
            throws SQLException {
        UUID[] ids = new UUID[size];
        Long[] millis = new Long[size];
        UUID[] links = new UUID[size];
        UUID[] programs = new UUID[size];
        UUID[] partners = new UUID[size];
        byte[][] ipHashes = new byte[size][];
        String[] userAgents = new String[size];
        String[] landings = new String[size];
        String[] empty = new String[size];
        Boolean[] bots = new Boolean[size];
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            ids[i] = Ulid.newUuidV7(now);
            millis[i] = now;
            links[i] = link;
            programs[i] = program;
            partners[i] = partner;
            ipHashes[i] = ipHash();
            userAgents[i] = USER_AGENT + " clickledger-ceiling";
            landings[i] = "https://acme.example/landing?cref=" + Ulid.encode(ids[i]);
            bots[i] = false;
        }
        try (PreparedStatement statement = connection.prepareStatement(ClickInsert.UNNEST)) {
            int p = 1;
            statement.setArray(p++, connection.createArrayOf("uuid", ids));
            statement.setArray(p++, connection.createArrayOf("bigint", millis));
            statement.setArray(p++, connection.createArrayOf("uuid", links));
            statement.setArray(p++, connection.createArrayOf("uuid", programs));
            statement.setArray(p++, connection.createArrayOf("uuid", partners));
            statement.setArray(p++, connection.createArrayOf("bytea", ipHashes));
            statement.setArray(p++, connection.createArrayOf("text", userAgents));
            statement.setArray(p++, connection.createArrayOf("text", empty));
            statement.setArray(p++, connection.createArrayOf("text", landings));
            for (int t = 0; t < 6; t++) {
                statement.setArray(p++, connection.createArrayOf("text", empty));
            }
            statement.setArray(p++, connection.createArrayOf("boolean", bots));
            // bot_reason, fraud_flag, device, browser, os, referrer_domain
            for (int t = 0; t < 6; t++) {
                statement.setArray(p++, connection.createArrayOf("text", empty));
            }
            statement.executeUpdate();
        }
    }

    private static void copy(Connection connection, int size, UUID link, UUID program, UUID partner)
            throws SQLException, IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size * 300);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
        out.writeInt(0);
        out.writeInt(0);
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            UUID id = Ulid.newUuidV7(now);
            out.writeShort(9);
            uuid(out, id);
            out.writeInt(8);
            out.writeLong(now * 1000 - POSTGRES_EPOCH_MICROS);
            uuid(out, link);
            uuid(out, program);
            uuid(out, partner);
            byte[] ip = ipHash();
            out.writeInt(ip.length);
            out.write(ip);
            text(out, USER_AGENT + " clickledger-ceiling");
            text(out, "https://acme.example/landing?cref=" + Ulid.encode(id));
            out.writeInt(1);
            out.writeByte(0);
        }
        out.writeShort(-1);
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        byte[] data = bytes.toByteArray();
        copy.writeToCopy(data, 0, data.length);
        copy.endCopy();
    }

    private static byte[] ipHash() {
        byte[] hash = new byte[16];
        ThreadLocalRandom.current().nextBytes(hash);
        return hash;
    }

    private static void uuid(DataOutputStream out, UUID id) throws IOException {
        out.writeInt(16);
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
