package clickledger.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the Flyway migrations; Flyway's own lock makes concurrent starts of several services safe. */
public final class Migrations {
    private Migrations() {}

    public static MigrateResult migrate(DatabaseConfig.Endpoint direct) {
        return migrate(direct, ConnectionLimits.DRIVER_DEFAULTS);
    }

    /** As {@link #migrate(DatabaseConfig.Endpoint)}, every wait of Flyway's connection bounded by {@code limits}. */
    public static MigrateResult migrate(DatabaseConfig.Endpoint direct, ConnectionLimits limits) {
        StringBuilder url = new StringBuilder(direct.jdbcUrl());
        char separator = direct.jdbcUrl().indexOf('?') < 0 ? '?' : '&';
        for (var property : limits.properties(direct).entrySet()) {
            url.append(separator)
                    .append(property.getKey())
                    .append('=')
                    .append(URLEncoder.encode((String) property.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return Flyway.configure()
                .dataSource(url.toString(), direct.user(), direct.password().reveal())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
