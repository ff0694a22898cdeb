package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.db.Pipeline;
import clickledger.testkit.PostgresFixture;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event path's writes bind 21 arrays per event as PostgreSQL array literals written by {@link
 * Pipeline} (decision 0028, session 26): every element must reach PostgreSQL as it was, whatever
 * characters it holds, and a null element as NULL.
 */
class PipelineArraysTest {
    private static HikariDataSource pool;

    @BeforeAll
    static void start() {
        DatabaseConfig.Endpoint database = PostgresFixture.get().newDatabase();
        pool = DataSources.pool("pipeline-arrays-test", database, 1, null);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** Sends {@code array} cast to {@code type}, and reads back each element as text (null for NULL). */
    private static List<String> roundTrip(String type, Object[] array) throws Exception {
        List<String> back = new ArrayList<>();
        Pipeline pipeline = new Pipeline()
                .query(
                        "select e::text from unnest(?::" + type + "[]) with ordinality as t (e, n) order by n",
                        (ResultSet rows) -> {
                            while (rows.next()) {
                                back.add(rows.getString(1));
                            }
                        },
                        (Object) array);
        try (var connection = pool.getConnection()) {
            pipeline.run(connection);
        }
        return back;
    }

    @Test
    void textElementsArriveExactlyWhateverTheyHold() throws Exception {
        String[] hostile = {
            "plain",
            "",
            " spaced ",
            "a,b",
            "{braces}",
            "quote\"inside",
            "back\\slash",
            "\\\"",
            "NULL",
            null,
            "null",
            "{\"trigger\":\"first\",\"amount\":\"5.00\"}",
            "naïve ☃ 日本",
            "line\nbreak\ttab"
        };
        assertThat(roundTrip("text", hostile)).containsExactly(hostile);
    }

    @Test
    void everyElementTypeTheEventPathBinds() throws Exception {
        UUID id = UUID.randomUUID();
        assertThat(roundTrip("uuid", new UUID[] {id, null})).containsExactly(id.toString(), null);
        assertThat(roundTrip("int8", new Long[] {Long.MIN_VALUE, 0L, null, Long.MAX_VALUE}))
                .containsExactly(Long.toString(Long.MIN_VALUE), "0", null, Long.toString(Long.MAX_VALUE));
        assertThat(roundTrip("int4", new Integer[] {-1, null, 7})).containsExactly("-1", null, "7");
        assertThat(roundTrip("bool", new Boolean[] {true, false, null})).containsExactly("true", "false", null);
        // A weight as Weights makes it, and one whose toString() would be in scientific notation.
        BigDecimal third = new BigDecimal("0.3333333333333333333333333333333333333333");
        assertThat(roundTrip("numeric", new BigDecimal[] {third, new BigDecimal("1E+1"), null}))
                .containsExactly(third.toPlainString(), "10", null);
        assertThat(roundTrip("text", new String[0])).isEmpty();
    }

    @Test
    void anArrayOfAnotherTypeIsRefused() {
        assertThatThrownBy(() -> roundTrip("text", new Object[] {"a"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot bind a [Ljava.lang.Object;");
    }
}
