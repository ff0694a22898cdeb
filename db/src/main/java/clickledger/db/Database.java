package clickledger.db;

import static java.util.Objects.requireNonNull;

import clickledger.db.partition.PartitionMaintenance;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

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
        Database database = connect(name, config, registry, ConnectionLimits.DRIVER_DEFAULTS);
        database.maintainPartitions(clock, retentionMonths);
        return database;
    }

    /**
     * The pools only, without a word to PostgreSQL yet (the pool fills itself in the background):
     * for a service that must start while the database is down (the router). It calls
     * {@link #prepare} once PostgreSQL answers.
     */
    public static Database connect(
            String name, DatabaseConfig config, MeterRegistry registry, ConnectionLimits limits) {
        requireNonNull(config, "config is null");
        HikariDataSource pool = DataSources.pool(name, config.primary(), config.poolSize(), registry, limits);
        HikariDataSource readPool = config.read()
                .map(read ->
                        DataSources.pool(name + "-read", read, Math.max(2, config.poolSize() / 2), registry, limits))
                .orElse(null);
        return new Database(config, pool, readPool);
    }

    /**
     * What {@link #open} does before and after opening the pools: migrations (unless
     * MIGRATE_ON_START=false) over the direct endpoint with {@code migrationLimits}, then the click
     * partitions. Throws when PostgreSQL cannot be reached; safe to call again.
     */
    public void prepare(Clock clock, int retentionMonths, ConnectionLimits migrationLimits) {
        if (config.migrateOnStart()) {
            Migrations.migrate(config.direct(), migrationLimits);
        }
        // Over a direct connection of its own: DDL may wait for locks longer than the pool's
        // statement timeout allows, and that wait must still be bounded.
        try (Connection connection =
                DataSources.directConnection(config.direct(), "clickledger-partitions", migrationLimits)) {
            new PartitionMaintenance(DataSources.dsl(connection), clock, PARTITION_MONTHS_AHEAD, retentionMonths).run();
        } catch (SQLException e) {
            throw new DataAccessException("maintaining click partitions failed: " + e.getMessage(), e);
        }
    }

    private void maintainPartitions(Clock clock, int retentionMonths) {
        new PartitionMaintenance(dsl, clock, PARTITION_MONTHS_AHEAD, retentionMonths).run();
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
