package clickledger.api.transfer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A column as PostgreSQL describes it: its name and its type's internal name ({@code uuid},
 * {@code int8}, {@code timestamptz}, {@code jsonb}, {@code _varchar} for an array of varchar…).
 * Read from the catalog rather than written down here, so a column a later migration adds travels
 * in exports without a change to this code.
 */
public record Column(String name, String type) {
    private static final Set<String> NUMBERS = Set.of("int2", "int4", "int8");
    private static final Set<String> TEXT = Set.of("varchar", "text", "bpchar", "jsonb", "json");

    public boolean isNumber() {
        return NUMBERS.contains(type);
    }

    public boolean isBoolean() {
        return type.equals("bool");
    }

    public boolean isJson() {
        return type.equals("jsonb") || type.equals("json");
    }

    public boolean isArray() {
        return type.startsWith("_");
    }

    public boolean isTimestamp() {
        return type.equals("timestamptz");
    }

    /** Free text a person typed or a browser sent: what a spreadsheet might run as a formula. */
    public boolean isText() {
        return TEXT.contains(type) || isArray();
    }

    /** The table's columns in their order, less the ones withheld from exports. */
    public static List<Column> of(Connection connection, String table, Set<String> withheld) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement =
                connection.prepareStatement("select column_name, udt_name from information_schema.columns"
                        + " where table_schema = current_schema() and table_name = ? order by ordinal_position")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (!withheld.contains(rows.getString(1))) {
                        columns.add(new Column(rows.getString(1), rows.getString(2)));
                    }
                }
            }
        }
        if (columns.isEmpty()) {
            throw new SQLException("table " + table + " has no columns here");
        }
        return columns;
    }

    /** {@code "a", "b"} for a select or insert list. */
    public static String list(List<Column> columns, String prefix) {
        StringBuilder out = new StringBuilder();
        for (Column column : columns) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(prefix).append('"').append(column.name()).append('"');
        }
        return out.toString();
    }
}
