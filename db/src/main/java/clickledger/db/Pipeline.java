package clickledger.db;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Several statements sent to PostgreSQL in one round trip: PgJDBC sends every statement of a
 * multi-statement {@link PreparedStatement} before it waits for the first answer, and PostgreSQL
 * runs them in order, each with a fresh snapshot under READ COMMITTED. So a statement that waits for
 * a lock and the reads queued after it cost one round trip together, and the reads see everything
 * committed before the lock was granted. The same text is prepared on the server after a few uses
 * (PgJDBC's prepareThreshold), so a pipeline whose statements do not vary is planned once per
 * connection.
 *
 * <p>Parameters are bound in order: {@link UUID}, {@link String}, {@link Long}, {@link Integer},
 * {@link Boolean}, {@link BigDecimal}, {@link Instant} (as a UTC {@link OffsetDateTime}), null, or an
 * array of one of the first six (a PostgreSQL array of uuid, text, int8, int4, bool, numeric). The
 * SQL casts each ({@code ?::uuid}, {@code ?::timestamptz[]} for an array of ISO strings), so no
 * parameter's type is guessed.
 */
public final class Pipeline {
    /** Reads the result of one statement. */
    @FunctionalInterface
    public interface Rows {
        void read(ResultSet rows) throws SQLException;
    }

    private record Step(String sql, Rows rows, Object[] parameters) {}

    private final List<Step> steps = new ArrayList<>();

    /** Adds a statement whose rows {@code rows} reads. */
    public Pipeline query(String sql, Rows rows, Object... parameters) {
        steps.add(new Step(requireNonNull(sql, "sql is null"), requireNonNull(rows, "rows is null"), parameters));
        return this;
    }

    /** Adds a statement whose result, if any, is not read. */
    public Pipeline execute(String sql, Object... parameters) {
        steps.add(new Step(requireNonNull(sql, "sql is null"), null, parameters));
        return this;
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Sends every statement added so far in one round trip, then hands each result to its reader. */
    public void run(Connection connection) throws SQLException {
        if (steps.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        for (Step step : steps) {
            if (!sql.isEmpty()) {
                sql.append(";\n");
            }
            sql.append(step.sql());
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int index = 1;
            for (Step step : steps) {
                for (Object parameter : step.parameters()) {
                    bind(statement, index++, parameter);
                }
            }
            boolean isResultSet = statement.execute();
            for (Step step : steps) {
                if (isResultSet) {
                    try (ResultSet rows = statement.getResultSet()) {
                        if (step.rows() != null) {
                            step.rows().read(rows);
                        }
                    }
                } else if (step.rows() != null) {
                    throw new IllegalStateException("statement returned no rows: " + step.sql());
                }
                isResultSet = statement.getMoreResults();
            }
        }
    }

    private static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, Types.OTHER);
            case String text -> statement.setString(index, text);
            case Long number -> statement.setLong(index, number);
            case Integer number -> statement.setInt(index, number);
            case Boolean flag -> statement.setBoolean(index, flag);
            case BigDecimal decimal -> statement.setBigDecimal(index, decimal);
            case Instant instant -> statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
            case Object[] array -> statement.setObject(index, arrayLiteral(array), Types.OTHER);
            case OffsetDateTime time -> statement.setObject(index, time);
            case UUID id -> statement.setObject(index, id);
            default ->
                throw new IllegalArgumentException(
                        "cannot bind a " + value.getClass().getName());
        }
    }

    /**
     * An array parameter as PostgreSQL's array literal ({@code {"a","b",NULL}}), sent untyped so
     * the SQL's cast ({@code ?::uuid[]}) gives it its type. Written here rather than by {@code
     * createArrayOf}: PgJDBC looked the element type up in its type cache and escaped each element
     * through its generic encoder: 7 % of the api's request-thread samples under event load, for
     * the write's 21 arrays (decision 0028, session 26). Text is quoted, with {@code "} and {@code
     * \} escaped, so any text survives; uuids, numbers and booleans, whose text holds none of the
     * characters the array syntax gives a meaning, are written as they print; a null element is
     * the unquoted {@code NULL}.
     */
    private static String arrayLiteral(Object[] array) {
        boolean text = array instanceof String[];
        if (!(text
                || array instanceof UUID[]
                || array instanceof Long[]
                || array instanceof Integer[]
                || array instanceof Boolean[]
                || array instanceof BigDecimal[])) {
            throw new IllegalArgumentException(
                    "cannot bind a " + array.getClass().getName());
        }
        StringBuilder literal = new StringBuilder(2 + array.length * 40).append('{');
        for (int i = 0; i < array.length; i++) {
            if (i > 0) {
                literal.append(',');
            }
            Object element = array[i];
            if (element == null) {
                literal.append("NULL");
            } else if (element instanceof BigDecimal decimal) {
                literal.append(decimal.toPlainString());
            } else if (!text) {
                literal.append(element);
            } else {
                quote(literal, (String) element);
            }
        }
        return literal.append('}').toString();
    }

    private static void quote(StringBuilder literal, String text) {
        literal.append('"');
        if (text.indexOf('"') < 0 && text.indexOf('\\') < 0) {
            literal.append(text);
        } else {
            for (int j = 0; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c == '"' || c == '\\') {
                    literal.append('\\');
                }
                literal.append(c);
            }
        }
        literal.append('"');
    }
}
