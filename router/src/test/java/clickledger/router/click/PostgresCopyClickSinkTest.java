package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.id.Ulid;
import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresCopyClickSinkTest {
    private static HikariDataSource pool;

    @BeforeAll
    static void start() {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        pool = DataSources.pool("copy-test", endpoint, 2, null);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static Click click(String userAgent, String referer, byte[] ipHash) {
        long now = System.currentTimeMillis();
        return new Click(
                Ulid.newUuidV7(now),
                now,
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                ipHash,
                userAgent,
                referer,
                "https://acme.example/?q=é",
                "DE",
                "news",
                "email",
                "spring",
                null,
                "",
                true,
                "http_client:curl",
                "velocity",
                "phone",
                "Samsung Internet",
                "Android",
                "blog.example");
    }

    @Test
    void copyStoresEveryFieldWithUnicodeIntact() throws Exception {
        Click click = click("Mozilla/5.0 ☃ 😀 ünïcødé", null, new byte[] {1, 2, 3, 4});
        new PostgresCopyClickSink(pool).write(List.of(click));
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select extract(epoch from ts) * 1000, user_agent, referer, landing_url, country, utm_source,"
                                + " utm_medium, utm_campaign, utm_term, utm_content, is_bot, bot_reason, fraud_flag,"
                                + " ip_hash, link_id, program_id, partner_id, device, browser, os, referrer_domain"
                                + " from click where id = ?")) {
            query.setObject(1, click.id());
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong(1)).isEqualTo(click.epochMillis());
                assertThat(row.getString(2)).isEqualTo("Mozilla/5.0 ☃ 😀 ünïcødé");
                assertThat(row.getString(3)).isNull();
                assertThat(row.getString(4)).isEqualTo("https://acme.example/?q=é");
                assertThat(row.getString(5)).isEqualTo("DE");
                assertThat(row.getString(6)).isEqualTo("news");
                assertThat(row.getString(7)).isEqualTo("email");
                assertThat(row.getString(8)).isEqualTo("spring");
                assertThat(row.getString(9)).isNull();
                assertThat(row.getString(10)).isEmpty();
                assertThat(row.getBoolean(11)).isTrue();
                assertThat(row.getString(12)).isEqualTo("http_client:curl");
                assertThat(row.getString(13)).isEqualTo("velocity");
                assertThat(row.getBytes(14)).containsExactly(1, 2, 3, 4);
                assertThat(row.getObject(15, UUID.class)).isEqualTo(click.linkId());
                assertThat(row.getObject(16, UUID.class)).isEqualTo(click.programId());
                assertThat(row.getObject(17, UUID.class)).isEqualTo(click.partnerId());
                assertThat(row.getString(18)).isEqualTo("phone");
                assertThat(row.getString(19)).isEqualTo("Samsung Internet");
                assertThat(row.getString(20)).isEqualTo("Android");
                assertThat(row.getString(21)).isEqualTo("blog.example");
            }
        }
    }

    /** The replay path (insert … from unnest) stores the same columns as the live COPY. */
    @Test
    void replayStoresTheParsedFieldsToo() throws Exception {
        Click click = click("Mozilla/5.0", "https://blog.example/a", null);
        new PostgresClickSink(pool).write(List.of(click));
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select device, browser, os, referrer_domain, bot_reason, fraud_flag from click where id = ?")) {
            query.setObject(1, click.id());
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("phone");
                assertThat(row.getString(2)).isEqualTo("Samsung Internet");
                assertThat(row.getString(3)).isEqualTo("Android");
                assertThat(row.getString(4)).isEqualTo("blog.example");
                assertThat(row.getString(5)).isEqualTo("http_client:curl");
                assertThat(row.getString(6)).isEqualTo("velocity");
            }
        }
    }

    @Test
    void nulAndUnpairedSurrogatesAreStoredInsteadOfFailingTheBatch() throws Exception {
        Click hostile = click("bad\u0000agent \uD800 end", "ref\u0000", null);
        Click fine = click("Mozilla/5.0", null, null);
        new PostgresCopyClickSink(pool).write(List.of(hostile, fine));
        try (Connection connection = pool.getConnection();
                PreparedStatement query =
                        connection.prepareStatement("select user_agent, referer, ip_hash from click where id = ?")) {
            query.setObject(1, hostile.id());
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("bad\uFFFDagent ? end");
                assertThat(row.getString(2)).isEqualTo("ref\uFFFD");
                assertThat(row.getBytes(3)).isNull();
            }
        }
    }

    @Test
    void aClickAlreadyStoredFailsTheCopyWhileReplayOnlySkipsIt() throws Exception {
        Click click = click("Mozilla/5.0", null, null);
        new PostgresCopyClickSink(pool).write(List.of(click));
        assertThatThrownBy(() -> new PostgresCopyClickSink(pool).write(List.of(click)))
                .hasMessageContaining("duplicate key");
        new PostgresClickSink(pool).write(List.of(click));
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from click where id = ?")) {
            query.setObject(1, click.id());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                assertThat(row.getInt(1)).isEqualTo(1);
            }
        }
    }
}
