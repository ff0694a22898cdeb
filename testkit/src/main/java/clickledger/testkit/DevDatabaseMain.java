package clickledger.testkit;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The PostgreSQL that {@code make run} starts when no DATABASE_URL is given: embedded, with its
 * data under {@code .data/pg} so it survives restarts. It is the PostgreSQL of the tests (17, the
 * project's default; docs/decisions/0012). Writes the URL to {@code .data/database-url} once it
 * accepts connections, then runs until killed.
 */
public final class DevDatabaseMain {
    public static final Setting DEV_DB_PORT = Setting.withDefault(
            "DEV_DB_PORT", "54329", "port of the embedded PostgreSQL that `make run` starts without `DATABASE_URL`");
    /** Every variable the dev database reads; docs/configuration.md is generated from these lists. */
    public static final List<Setting> SETTINGS =
            List.of(SharedSettings.LOG_FORMAT, SharedSettings.LOG_LEVEL, DEV_DB_PORT);

    private DevDatabaseMain() {}

    /** The port to listen on; throws one {@link clickledger.common.config.ConfigException} when it is not one. */
    public static int port(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment, SETTINGS);
        int port = env.port(DEV_DB_PORT);
        env.finish();
        return port;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : ".data").toAbsolutePath();
        int port = port(System.getenv());
        Path pgDir = dataDir.resolve("pg");
        Files.createDirectories(pgDir);
        String problem = otherMajor(pgDir, binariesVersion());
        if (problem != null) {
            System.err.println(problem);
            System.exit(2);
        }
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // First start runs initdb with fsync on; on a busy 2-core box that takes longer
                // than the library's 10-second default.
                .setPGStartupWait(java.time.Duration.ofSeconds(120))
                .setServerConfig("max_connections", "300")
                // The embedded library tunes for throwaway test databases; this one keeps data.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }));
        createDatabase(postgres.getJdbcUrl("postgres", "postgres"));
        String url = "postgres://postgres@localhost:" + port + "/clickledger";
        Path urlFile = dataDir.resolve("database-url");
        Files.writeString(urlFile, url + "\n");
        System.out.println("embedded PostgreSQL ready at " + url + " (data in " + pgDir + ")");
        Thread.currentThread().join();
    }

    /** The version of the embedded binaries on the classpath, such as "17.12.0". */
    static String binariesVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = DevDatabaseMain.class.getResourceAsStream("postgres.properties")) {
            if (in == null) {
                throw new IllegalStateException("postgres.properties is missing from the jar");
            }
            properties.load(in);
        }
        return properties.getProperty("version");
    }

    /**
     * Why the data directory cannot be started by these binaries, or null. PostgreSQL only opens a
     * data directory of its own major version ({@code PG_VERSION}); a directory from an older
     * {@code make run} (PostgreSQL 15 until decision 0012) gets a message that says what to do,
     * not a failed start.
     */
    static String otherMajor(Path pgDir, String binariesVersion) throws IOException {
        Path versionFile = pgDir.resolve("PG_VERSION");
        if (!Files.isRegularFile(versionFile)) {
            return null;
        }
        String dataMajor = Files.readString(versionFile).strip();
        String binariesMajor = binariesVersion.substring(0, binariesVersion.indexOf('.'));
        if (dataMajor.equals(binariesMajor)) {
            return null;
        }
        return "make run: " + pgDir + " holds a PostgreSQL " + dataMajor + " database, and this build runs PostgreSQL "
                + binariesMajor + ", which cannot open it. To start afresh, move it aside (mv " + pgDir + " "
                + pgDir + "-" + dataMajor + "). To keep its data, run it with PostgreSQL " + dataMajor
                + " (an older checkout's make run), take a backup with that version's pg_dump (make backup), then "
                + "move the directory aside and restore into the new one (make restore FILE=…).";
    }

    private static void createDatabase(String adminJdbcUrl) throws SQLException {
        try (Connection connection = DriverManager.getConnection(adminJdbcUrl);
                Statement statement = connection.createStatement();
                ResultSet exists = statement.executeQuery("select 1 from pg_database where datname = 'clickledger'")) {
            if (!exists.next()) {
                statement.execute("create database clickledger");
            }
        }
    }
}
