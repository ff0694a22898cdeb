package clickledger.bench;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "stored more than once" figure of make bench and make drills must be able to fail. The
 * click table's key is (id, ts), so the same click can be stored twice only with a second ts; a
 * check that counted by (id, ts) would call that fine. Verify counts by id alone.
 */
class VerifyTest {
    @TempDir
    Path directory;

    @Test
    void aClickStoredTwiceUnderAnotherTimestampIsCountedAsDuplicated() throws Exception {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        long now = System.currentTimeMillis();
        UUID once = Ulid.newUuidV7(now);
        UUID twice = Ulid.newUuidV7(now);
        UUID never = Ulid.newUuidV7(now);
        try (Connection connection = DriverManager.getConnection(
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password().reveal())) {
            insert(connection, once, now);
            insert(connection, twice, now);
            insert(connection, twice, now + 1); // the primary key (id, ts) lets this in
        }
        Path crefs = directory.resolve("crefs");
        Files.write(crefs, List.of(Ulid.encode(once), Ulid.encode(twice), Ulid.encode(never)));

        Map<String, Object> result = Verify.run(new Args(
                new String[] {
                    "verify", "--crefs", crefs.toString(), "--database-url", PostgresFixture.postgresUrl(endpoint)
                },
                1));

        assertThat(result)
                .containsEntry("received", 3L)
                .containsEntry("missing", 1L)
                .containsEntry("duplicated", 1L);
        assertThat(result).containsEntry("exactlyOnce", false);
    }

    private static void insert(Connection connection, UUID id, long millis) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(
                "insert into click (id, ts, link_id, program_id, partner_id) values (?, ?, ?, ?, ?)")) {
            statement.setObject(1, id);
            statement.setObject(2, OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), ZoneOffset.UTC));
            statement.setObject(3, UUID.randomUUID());
            statement.setObject(4, UUID.randomUUID());
            statement.setObject(5, UUID.randomUUID());
            statement.executeUpdate();
        }
    }
}
