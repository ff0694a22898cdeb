package clickledger.db;

import java.time.Duration;
import java.util.Properties;

/**
 * Bounds on every wait a JDBC connection can make, so a hung PostgreSQL (a frozen server, a
 * half-open socket, a lock) holds a thread for a known time instead of for ever
 * (docs/decisions/0011-database-timeouts.md).
 *
 * @param connect the TCP connect and the login that follows it (a frozen server still completes
 *     the TCP handshake from its listen backlog, then never answers the startup message)
 * @param socket how long one read may wait for the server; longer than {@code statement}, so a slow
 *     but living server answers with a clean statement-timeout error first
 * @param statement PostgreSQL's {@code statement_timeout} for the session, set at connect (not
 *     through PgBouncer, which refuses startup options: see {@link #properties})
 * @param poolWait how long taking a connection from the pool may wait
 */
public record ConnectionLimits(Duration connect, Duration socket, Duration statement, Duration poolWait) {
    /** The driver's and pool's own defaults: what the api keeps. */
    public static final ConnectionLimits DRIVER_DEFAULTS = new ConnectionLimits(null, null, null, null);

    /** Driver properties for these limits on {@code endpoint}. */
    public Properties properties(DatabaseConfig.Endpoint endpoint) {
        Properties properties = new Properties();
        if (connect != null) {
            properties.setProperty("connectTimeout", Long.toString(seconds(connect)));
            properties.setProperty("loginTimeout", Long.toString(seconds(connect)));
        }
        if (socket != null) {
            properties.setProperty("socketTimeout", Long.toString(seconds(socket)));
        }
        // A transaction-mode PgBouncer refuses unknown startup parameters ("options"); there the
        // socket timeout and Connection.abort bound the client, and PgBouncer's query_timeout (or
        // ALTER ROLE … SET statement_timeout) the server (README, PgBouncer).
        if (statement != null && !endpoint.pgbouncer()) {
            properties.setProperty("options", "-c statement_timeout=" + statement.toMillis());
        }
        return properties;
    }

    // The driver takes whole seconds; round up, so a limit is never shorter than asked.
    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1_000);
    }
}
