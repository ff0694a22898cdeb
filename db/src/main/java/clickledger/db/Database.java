package clickledger.db;

import static java.util.Objects.requireNonNull;

import clickledger.db.partition.PartitionMaintenance;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * What a service needs from PostgreSQL, opened in the order every service follows: migrate over
 * the direct endpoint (unless MIGRATE_ON_START=false), open the fixed-size pool, make sure click
 * partitions exist. Read traffic goes to the replica when DATABASE_READ_URL is set.
 */
public final class Database implements AutoCloseable {
    public static final int PARTITION_MONTHS_AHEAD = 3;

    private final DatabaseConfig config;
    private final HikariDataSource pool;
    private final HikariDataSource readPool;
    private final DSLContext dsl;
    private final DSLContext readDsl;

    private Database(DatabaseConfig config, HikariDataSource pool, HikariDataSource readPool) {
        this.config = config;
        this.pool = pool;
        this.readPool = readPool;
        this.dsl = DataSources.dsl(pool);
        this.readDsl = readPool == null ? dsl : DataSources.dsl(readPool);
    }

    public static Database open(
            String name, DatabaseConfig config, MeterRegistry registry, Clock clock, int retentionMonths) {
        requireNonNull(config, "config is null");
        if (config.migrateOnStart()) {
            Migrations.migrate(config.direct());
        }
        HikariDataSource pool = DataSources.pool(name, config.primary(), config.poolSize(), registry);
        HikariDataSource readPool = config.read()
                .map(read -> DataSources.pool(name + "-read", read, Math.max(2, config.poolSize() / 2), registry))
                .orElse(null);
        Database database = new Database(config, pool, readPool);
        new PartitionMaintenance(database.dsl, clock, PARTITION_MONTHS_AHEAD, retentionMonths).run();
        return database;
    }

    public DatabaseConfig config() {
        return config;
    }

    public HikariDataSource pool() {
        return pool;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** The replica when one is configured, else the primary. Only for queries that tolerate lag. */
    public DSLContext readDsl() {
        return readDsl;
    }

    public Optional<HikariDataSource> readPool() {
        return Optional.ofNullable(readPool);
    }

    /** True when a connection can be had and answers within a second. */
    public boolean ping() {
        try (var connection = pool.getConnection()) {
            return connection.isValid(1);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (readPool != null) {
            readPool.close();
        }
        pool.close();
    }
}
