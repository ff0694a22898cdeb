package clickledger.bench;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Connections for the bench tools, from the same {@code postgres://} URLs the services read. */
final class Db {
    private Db() {}

    static Connection connect(String url) throws SQLException {
        if (url.startsWith("jdbc:")) {
            return DriverManager.getConnection(url);
        }
        URI uri = URI.create(url);
        Properties properties = new Properties();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            properties.setProperty("user", URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
            if (parts.length > 1) {
                properties.setProperty("password", URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
        }
        properties.setProperty("ApplicationName", "clickledger-bench");
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery().replace("pgbouncer=true", "");
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + uri.getRawPath() + query;
        return DriverManager.getConnection(jdbc, properties);
    }
}
