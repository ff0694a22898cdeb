package clickledger.testkit;

import clickledger.common.config.Secret;
import clickledger.db.DatabaseConfig;
import clickledger.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, from {@code TEST_DATABASE_URL} when set, else a Testcontainers
 * PostgreSQL when a Docker engine answers, else an embedded PostgreSQL. Migrations run once into a
 * template database; each test class gets a fresh database copied from it, so tests are isolated
 * without truncation and the same suite runs unchanged on all three sources.
 */
public final class PostgresFixture {
    private static final String TEMPLATE = "clickledger_template";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static PostgresFixture instance;

    private final DatabaseConfig.Endpoint admin;
    private final String source;

    private PostgresFixture(DatabaseConfig.Endpoint admin, String source) {
        this.admin = admin;
        this.source = source;
    }

    public static synchronized PostgresFixture get() {
        if (instance == null) {
            instance = start();
            // One line per test JVM, in the first test class's output file: .ci/run reads it to say
            // (and check) which PostgreSQL each pass ran on.
            System.out.println("clickledger test database: PostgreSQL " + query(instance.admin, "show server_version")
                    + " (" + instance.source + ")");
            instance.createTemplate();
            if (instance.source.equals("TEST_DATABASE_URL")) {
                // A shared server outlives this JVM: leave it as we found it.
                PostgresFixture fixture = instance;
                Runtime.getRuntime().addShutdownHook(new Thread(fixture::dropCreatedDatabases));
            }
        }
        return instance;
    }

    private final java.util.List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void dropCreatedDatabases() {
        for (String name : created) {
            try {
                execute(admin, "drop database if exists " + name + " with (force)");
            } catch (RuntimeException e) {
                System.err.println("could not drop test database " + name + ": " + e.getMessage());
            }
        }
    }

    /** Which source the suite runs on: "TEST_DATABASE_URL", "testcontainers" or "embedded". */
    public String source() {
        return source;
    }

    /** A fresh, migrated database of its own; the endpoint's URL is in JDBC form. */
    public DatabaseConfig.Endpoint newDatabase() {
        String name = "cl_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        execute(admin, "create database " + name + " template " + TEMPLATE);
        created.add(name);
        return withDatabase(admin, name);
    }

    /** An empty database, not migrated, for tests of migration itself. */
    public DatabaseConfig.Endpoint newEmptyDatabase() {
        String name = "cl_empty_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        execute(admin, "create database " + name);
        created.add(name);
        return withDatabase(admin, name);
    }

    /**
     * The database settings a service under test gets for {@code endpoint}: {@code DATABASE_URL}
     * alone, or, when {@code TEST_PGBOUNCER_URL} names a transaction-mode PgBouncer in front of the
     * same server (with a wildcard database entry), {@code DATABASE_URL} through it with
     * {@code pgbouncer=true} and {@code DATABASE_URL_DIRECT} straight to PostgreSQL for migrations
     * and LISTEN. That is how {@code .ci/run} runs the api and router suites a second time.
     */
    public static java.util.Map<String, String> databaseEnv(DatabaseConfig.Endpoint endpoint) {
        String direct = postgresUrl(endpoint);
        String bouncer = System.getenv("TEST_PGBOUNCER_URL");
        if (bouncer == null || bouncer.isBlank()) {
            return java.util.Map.of("DATABASE_URL", direct);
        }
        DatabaseConfig.Endpoint pooler = DatabaseConfig.parseUrl(bouncer.trim());
        String database = databaseName(endpoint);
        DatabaseConfig.Endpoint pooled = withDatabase(pooler, database);
        String url = postgresUrl(pooled);
        return java.util.Map.of(
                "DATABASE_URL",
                url + (url.contains("?") ? "&" : "?") + "pgbouncer=true",
                "DATABASE_URL_DIRECT",
                direct);
    }

    /** True when the suite runs through PgBouncer ({@code TEST_PGBOUNCER_URL} is set). */
    public static boolean throughPgBouncer() {
        String bouncer = System.getenv("TEST_PGBOUNCER_URL");
        return bouncer != null && !bouncer.isBlank();
    }

    private static String databaseName(DatabaseConfig.Endpoint endpoint) {
        String jdbc = endpoint.jdbcUrl();
        int query = jdbc.indexOf('?');
        String withoutParams = query < 0 ? jdbc : jdbc.substring(0, query);
        return withoutParams.substring(withoutParams.lastIndexOf('/') + 1);
    }

    /** The {@code postgres://} form of an endpoint, as an operator would write DATABASE_URL. */
    public static String postgresUrl(DatabaseConfig.Endpoint endpoint) {
        String hostAndRest = endpoint.jdbcUrl().substring("jdbc:postgresql://".length());
        String credentials = endpoint.user().isEmpty()
                ? ""
                : encode(endpoint.user())
                        + (endpoint.password().isEmpty()
                                ? ""
                                : ":" + encode(endpoint.password().reveal())) + "@";
        return "postgres://" + credentials + hostAndRest;
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void createTemplate() {
        execute(
                admin,
                "drop database if exists " + TEMPLATE + "_"
                        + ProcessHandle.current().pid());
        String template = TEMPLATE;
        if (!source.equals("embedded") && !source.equals("testcontainers")) {
            // A shared server may hold templates of other runs: keep ours apart.
            template = TEMPLATE + "_" + ProcessHandle.current().pid();
        }
        execute(admin, "drop database if exists " + template);
        execute(admin, "create database " + template);
        Migrations.migrate(withDatabase(admin, template));
        if (!template.equals(TEMPLATE)) {
            execute(admin, "drop database if exists " + TEMPLATE);
            execute(admin, "alter database " + template + " rename to " + TEMPLATE);
        }
    }

    private static PostgresFixture start() {
        String url = System.getenv("TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            return new PostgresFixture(DatabaseConfig.parseUrl(url.trim()), "TEST_DATABASE_URL");
        }
        if (dockerLikelyPresent()) {
            try {
                return Containers.start();
            } catch (RuntimeException | LinkageError e) {
                System.err.println("Testcontainers could not start PostgreSQL (" + e.getMessage()
                        + "); using embedded PostgreSQL");
            }
        }
        try {
            Path dataDirectory = Files.createTempDirectory("clickledger-test-pg");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(java.time.Duration.ofSeconds(120))
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    System.err.println("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
                }
                removeInBackground(dataDirectory);
            }));
            return new PostgresFixture(
                    DatabaseConfig.parseUrl(postgres.getJdbcUrl("postgres", "postgres")), "embedded");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }

    /**
     * Deletes a test cluster after this JVM is gone. The api suite leaves one database per test
     * class, tens of thousands of files; deleting them inside the shutdown hook took over 30 s on a
     * busy box, and Surefire then killed the fork mid-delete and left the rest in /tmp. A detached
     * {@code rm} outlives the JVM and finishes the job.
     */
    private static void removeInBackground(Path directory) {
        try {
            new ProcessBuilder("rm", "-rf", directory.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            System.err.println("could not remove " + directory + ": " + e.getMessage());
        }
    }

    // Asking Testcontainers on a machine without an engine costs seconds of probing; look for the
    // usual signs first.
    private static boolean dockerLikelyPresent() {
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    }

    static DatabaseConfig.Endpoint withDatabase(DatabaseConfig.Endpoint base, String database) {
        String jdbc = base.jdbcUrl();
        int query = jdbc.indexOf('?');
        String params = query < 0 ? "" : jdbc.substring(query);
        String withoutParams = query < 0 ? jdbc : jdbc.substring(0, query);
        int slash = withoutParams.indexOf('/', "jdbc:postgresql://".length());
        String hostPort = slash < 0 ? withoutParams : withoutParams.substring(0, slash);
        return new DatabaseConfig.Endpoint(hostPort + "/" + database + params, base.user(), base.password(), false);
    }

    private static String query(DatabaseConfig.Endpoint endpoint, String sql) {
        try (Connection connection = DriverManager.getConnection(
                        endpoint.jdbcUrl(), endpoint.user(), endpoint.password().reveal());
                Statement statement = connection.createStatement();
                java.sql.ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static void execute(DatabaseConfig.Endpoint endpoint, String sql) {
        try (Connection connection = DriverManager.getConnection(
                        endpoint.jdbcUrl(), endpoint.user(), endpoint.password().reveal());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Kept in its own class so Testcontainers is only loaded when a Docker engine may be there. */
    private static final class Containers {
        @SuppressWarnings("resource") // lives as long as the JVM; Ryuk removes it
        static PostgresFixture start() {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                throw new IllegalStateException("no Docker engine answers");
            }
            var container = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:17-alpine")
                    .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
            container.start();
            return new PostgresFixture(
                    new DatabaseConfig.Endpoint(
                            container.getJdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/postgres$1"),
                            container.getUsername(),
                            new Secret(container.getPassword()),
                            false),
                    "testcontainers");
        }
    }
}
