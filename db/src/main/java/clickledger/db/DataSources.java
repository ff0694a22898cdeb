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
        return pool(name, endpoint, size, registry, ConnectionLimits.DRIVER_DEFAULTS);
    }

    /** A fixed-size pool whose connections obey {@code limits} (decision 0011). */
    public static HikariDataSource pool(
            String name, DatabaseConfig.Endpoint endpoint, int size, MeterRegistry registry, ConnectionLimits limits) {
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
        limits.properties(endpoint).forEach((key, value) -> config.addDataSourceProperty((String) key, value));
        if (limits.poolWait() != null) {
            // Hikari's floor is 250 ms for both; validating takes at most half the wait.
            long wait = Math.max(250, limits.poolWait().toMillis());
            config.setConnectionTimeout(wait);
            config.setValidationTimeout(Math.max(250, wait / 2));
            // Idle connections are checked every 30 s (Hikari's shortest keepalive), so one the
            // network silently dropped is replaced before a writer takes it.
            config.setKeepaliveTime(30_000);
        }
        if (registry != null) {
            config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        return new HikariDataSource(config);
    }

    /** A single unpooled connection on the direct endpoint, for LISTEN and session-level locks. */
    public static Connection directConnection(DatabaseConfig.Endpoint endpoint, String applicationName)
            throws SQLException {
        return directConnection(endpoint, applicationName, ConnectionLimits.DRIVER_DEFAULTS);
    }

    /** As {@link #directConnection(DatabaseConfig.Endpoint, String)}, its waits bounded by {@code limits}. */
    public static Connection directConnection(
            DatabaseConfig.Endpoint endpoint, String applicationName, ConnectionLimits limits) throws SQLException {
        Properties properties = limits.properties(endpoint);
        if (!endpoint.user().isEmpty()) {
            properties.setProperty("user", endpoint.user());
        }
        if (!endpoint.password().isEmpty()) {
            properties.setProperty("password", endpoint.password().reveal());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.putIfAbsent("connectTimeout", "5");
        return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    }

    public static DSLContext dsl(javax.sql.DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withRenderSchema(false));
    }

    /** A jOOQ context over one connection the caller owns and closes. */
    public static DSLContext dsl(Connection connection) {
        return DSL.using(connection, SQLDialect.POSTGRES, new Settings().withRenderSchema(false));
    }
}
