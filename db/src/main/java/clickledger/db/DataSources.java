package clickledger.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** Builds pools and jOOQ contexts from {@link DatabaseConfig}. */
public final class DataSources {
    private DataSources() {}

    /**
     * A fixed-size pool: database concurrency is bounded here, never by the number of clients, so
     * thousands of visitors cannot produce "too many clients".
     */
    public static HikariDataSource pool(
            String name, DatabaseConfig.Endpoint endpoint, int size, MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(endpoint.jdbcUrl());
        config.setUsername(endpoint.user());
        config.setPassword(endpoint.password().reveal());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("ApplicationName", "clickledger-" + name);
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        if (registry != null) {
            config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        return new HikariDataSource(config);
    }

    /** A single unpooled connection on the direct endpoint, for LISTEN and session-level locks. */
    public static Connection directConnection(DatabaseConfig.Endpoint endpoint, String applicationName)
            throws SQLException {
        Properties properties = new Properties();
        if (!endpoint.user().isEmpty()) {
            properties.setProperty("user", endpoint.user());
        }
        if (!endpoint.password().isEmpty()) {
            properties.setProperty("password", endpoint.password().reveal());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    }

    public static DSLContext dsl(javax.sql.DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withRenderSchema(false));
    }
}
