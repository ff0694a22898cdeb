package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.db.Transactions;
import clickledger.testkit.PostgresFixture;
import com.zaxxer.hikari.HikariDataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event path's transactions (decision 0028): committed when the work returns, rolled back when
 * it throws, a savepoint inside a caller's transaction. (That it saves the isolation-level round
 * trip shows in bench/profile-sdk.sh: no SHOW TRANSACTION ISOLATION LEVEL per event.)
 */
class TransactionsTest {
    private static HikariDataSource pool;
    private static DSLContext dsl;

    @BeforeAll
    static void start() {
        DatabaseConfig.Endpoint database = PostgresFixture.get().newDatabase();
        pool = DataSources.pool("transactions-test", database, 1, null);
        dsl = DataSources.dsl(pool);
        dsl.execute("create table t (v int)");
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static int count(int v) {
        return dsl.fetchCount(dsl.selectFrom("t").where("v = ?", v));
    }

    @Test
    void commitsWhatTheWorkReturnsFromAndRollsBackWhatThrows() {
        int inserted = Transactions.result(dsl, trx -> trx.execute("insert into t values (1)"));
        assertThat(inserted).isEqualTo(1);
        assertThat(count(1)).isEqualTo(1);

        assertThatThrownBy(() -> Transactions.result(dsl, trx -> {
                    trx.execute("insert into t values (2)");
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThat(count(2)).isZero();
        // The connection went back to the pool with autocommit on: a plain statement commits.
        dsl.execute("insert into t values (3)");
        assertThat(count(3)).isEqualTo(1);
    }

    @Test
    void insideACallersTransactionItIsASavepoint() {
        dsl.transaction(configuration -> {
            DSLContext outer = configuration.dsl();
            outer.execute("insert into t values (10)");
            assertThatThrownBy(() -> Transactions.result(outer, trx -> {
                        trx.execute("insert into t values (11)");
                        throw new IllegalStateException("inner");
                    }))
                    .hasMessage("inner");
            Transactions.result(outer, trx -> trx.execute("insert into t values (12)"));
            outer.execute("insert into t values (13)");
        });
        assertThat(count(10)).isEqualTo(1);
        assertThat(count(11)).isZero();
        assertThat(count(12)).isEqualTo(1);
        assertThat(count(13)).isEqualTo(1);
    }
}
