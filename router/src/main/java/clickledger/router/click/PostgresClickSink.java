package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import clickledger.db.click.ClickInsert;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Inserts a batch with one statement over arrays ({@code unnest}): one round trip and one commit
 * per batch, whatever its size. Plain JDBC rather than jOOQ because this is the hot path and the
 * statement is fixed. {@code on conflict do nothing} makes a replayed batch (from the spool, or a
 * retry after an ambiguous failure) harmless.
 */
public final class PostgresClickSink implements ClickSink {

    private final SinkConnections connections;

    public PostgresClickSink(DataSource dataSource) {
        this.connections = new SinkConnections(requireNonNull(dataSource, "dataSource is null"));
    }

    @Override
    public void write(List<Click> batch) throws SQLException {
        int size = batch.size();
        UUID[] ids = new UUID[size];
        Long[] millis = new Long[size];
        UUID[] links = new UUID[size];
        UUID[] programs = new UUID[size];
        UUID[] partners = new UUID[size];
        byte[][] ipHashes = new byte[size][];
        String[][] texts = new String[9][size];
        Boolean[] bots = new Boolean[size];
        String[] botReasons = new String[size];
        String[] fraudFlags = new String[size];
        // device, browser, os, referrer_domain
        String[][] parsed = new String[4][size];
        for (int i = 0; i < size; i++) {
            Click click = batch.get(i);
            ids[i] = click.id();
            millis[i] = click.epochMillis();
            links[i] = click.linkId();
            programs[i] = click.programId();
            partners[i] = click.partnerId();
            ipHashes[i] = click.ipHash();
            texts[0][i] = clean(click.userAgent());
            texts[1][i] = clean(click.referer());
            texts[2][i] = clean(click.landingUrl());
            texts[3][i] = clean(click.country());
            texts[4][i] = clean(click.utmSource());
            texts[5][i] = clean(click.utmMedium());
            texts[6][i] = clean(click.utmCampaign());
            texts[7][i] = clean(click.utmTerm());
            texts[8][i] = clean(click.utmContent());
            bots[i] = click.isBot();
            botReasons[i] = click.botReason();
            fraudFlags[i] = click.fraudFlag();
            parsed[0][i] = click.device();
            parsed[1][i] = click.browser();
            parsed[2][i] = click.os();
            parsed[3][i] = clean(click.referrerDomain());
        }
        Connection connection = connections.open();
        boolean failed = true;
        try (PreparedStatement statement = connection.prepareStatement(ClickInsert.UNNEST)) {
            connection.setAutoCommit(true);
            int p = 1;
            statement.setArray(p++, connection.createArrayOf("uuid", ids));
            statement.setArray(p++, connection.createArrayOf("bigint", millis));
            statement.setArray(p++, connection.createArrayOf("uuid", links));
            statement.setArray(p++, connection.createArrayOf("uuid", programs));
            statement.setArray(p++, connection.createArrayOf("uuid", partners));
            statement.setArray(p++, connection.createArrayOf("bytea", ipHashes));
            for (int t = 0; t < 9; t++) {
                Array array = connection.createArrayOf("text", texts[t]);
                statement.setArray(p++, array);
            }
            statement.setArray(p++, connection.createArrayOf("boolean", bots));
            statement.setArray(p++, connection.createArrayOf("text", botReasons));
            statement.setArray(p++, connection.createArrayOf("text", fraudFlags));
            for (String[] column : parsed) {
                statement.setArray(p++, connection.createArrayOf("text", column));
            }
            statement.executeUpdate();
            failed = false;
        } finally {
            connections.release(connection, failed);
        }
    }

    @Override
    public void abandon(Thread writer) {
        connections.abort(writer);
    }

    // PostgreSQL text cannot hold NUL; a hostile header must not fail the whole batch.
    private static String clean(String value) {
        if (value == null || value.indexOf('\0') < 0) {
            return value;
        }
        return value.replace('\0', '\uFFFD');
    }

    @Override
    public boolean ping() {
        try (Connection connection = connections.dataSource().getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }
}
