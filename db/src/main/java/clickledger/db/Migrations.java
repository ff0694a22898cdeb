package clickledger.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the Flyway migrations; Flyway's own lock makes concurrent starts of several services safe. */
public final class Migrations {
    private Migrations() {}

    public static MigrateResult migrate(DatabaseConfig.Endpoint direct) {
        return Flyway.configure()
                .dataSource(direct.jdbcUrl(), direct.user(), direct.password().reveal())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
