package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pooled connections a PostgreSQL sink's writers hold, by thread, so the writer's watchdog
 * can abort the one a stuck writer waits on ({@link ClickSink#abandon}). Abort closes the socket
 * under the blocked read, which then fails at once, whatever the network or the server does: a
 * half-open socket, a frozen server and a lock wait all end the same way.
 *
 * <p>A connection whose write failed (aborted included) is evicted from the pool rather than
 * handed to the next writer: the COPY API talks to the driver's connection directly, past the
 * pool's own error tracking, so the pool cannot tell it is broken.
 */
final class SinkConnections {
    private static final Logger LOG = LoggerFactory.getLogger(SinkConnections.class);

    private final DataSource dataSource;
    // At most one entry per thread that writes clicks: the writers and the selectors (their lanes).
    private final ConcurrentHashMap<Thread, Connection> inUse = new ConcurrentHashMap<>();

    SinkConnections(DataSource dataSource) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
    }

    Connection open() throws SQLException {
        Connection connection = dataSource.getConnection();
        inUse.put(Thread.currentThread(), connection);
        return connection;
    }

    void release(Connection connection, boolean failed) throws SQLException {
        inUse.remove(Thread.currentThread(), connection);
        if (failed && dataSource instanceof HikariDataSource pool) {
            pool.evictConnection(connection);
            return;
        }
        connection.close();
    }

    void abort(Thread writer) {
        Connection connection = inUse.get(writer);
        if (connection == null) {
            return; // between batches, or waiting for the pool (bounded by its own timeout)
        }
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("aborting a stuck writer's connection failed");
        }
    }

    DataSource dataSource() {
        return dataSource;
    }
}
