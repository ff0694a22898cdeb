package clickledger.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import org.jooq.DSLContext;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * A transaction on one pooled connection, for the SDK's hot paths ({@code POST /v1/events}, {@code
 * POST /v1/identify}). jOOQ 3.21's {@code DefaultTransactionProvider} asks the connection for its
 * isolation level at every begin, and PgJDBC answers {@code getTransactionIsolation()} with a
 * {@code SHOW TRANSACTION ISOLATION LEVEL} round trip: one of the four an event cost
 * (docs/decisions/0028). Here the transaction is the driver's own: autocommit off (PgJDBC then
 * sends {@code BEGIN} with the first statement, without a round trip of its own), then a commit,
 * or a rollback when the work throws.
 *
 * <p>Called inside a transaction already (a Stripe webhook records its event in its own), the work
 * runs in a savepoint of it, as jOOQ nests: its failure undoes its writes only, and the caller's
 * transaction commits them. The work must not open a transaction of its own with jOOQ on the
 * context it gets.
 */
public final class Transactions {
    private Transactions() {}

    /** The work of one transaction, on a context bound to its connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(DSLContext trx);
    }

    /** Runs {@code work} in a transaction on a connection of {@code dsl}'s pool; commits what it returns from. */
    public static <T> T result(DSLContext dsl, Work<T> work) {
        return dsl.connectionResult(connection -> {
            if (!connection.getAutoCommit()) {
                return nested(dsl, connection, work);
            }
            connection.setAutoCommit(false);
            try {
                T result = work.run(dsl.configuration()
                        .derive(new DefaultConnectionProvider(connection))
                        .dsl());
                connection.commit();
                return result;
            } catch (Throwable e) {
                rollback(connection, e);
                throw e;
            } finally {
                restoreAutoCommit(connection);
            }
        });
    }

    private static <T> T nested(DSLContext dsl, Connection connection, Work<T> work) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            T result = work.run(dsl);
            connection.releaseSavepoint(savepoint);
            return result;
        } catch (Throwable e) {
            try {
                connection.rollback(savepoint);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    // After the commit or rollback no transaction is open, so PgJDBC has nothing to send. A
    // connection that broke meanwhile is the pool's to evict; its error is the one that counts.
    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            // the pool resets autocommit (or evicts the connection) when it is returned
        }
    }
}
