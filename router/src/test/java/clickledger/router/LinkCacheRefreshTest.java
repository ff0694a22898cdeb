package clickledger.router;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PROGRAM;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.router.link.LinkRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The periodic check behind LISTEN/NOTIFY: with nothing missed it costs no full reload, and a
 * change the notifications never announced (made with the trigger disabled, as a data-only
 * restore would) still reaches the redirects within a check interval.
 */
class LinkCacheRefreshTest {
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(Map.of("LINK_RELOAD_SECONDS", "1"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    private static double reloads() {
        return router.registry.get("clickledger_link_reload").timer().count();
    }

    private static double checks() {
        return router.registry.get("clickledger_link_checks_total").counter().count();
    }

    private static double mismatches() {
        return router.registry
                .get("clickledger_link_check_mismatches_total")
                .counter()
                .count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitChecks(int more) throws InterruptedException {
        double target = checks() + more;
        await(more + " more checks", () -> checks() >= target);
    }

    @Test
    void changesAnnouncedByNotificationsKeepTheCacheInSyncWithoutAFullReload() throws Exception {
        RouterHarness.Seeded seeded = router.seed("quiet", "https://acme.example/home", "https://acme.example/deal");
        router.awaitCached("quiet");
        router.dsl()
                .update(PROGRAM)
                .set(PROGRAM.COOKIE_DAYS, 7)
                .where(PROGRAM.ID.eq(seeded.programId()))
                .execute();
        router.dsl()
                .update(LINK)
                .set(LINK.DESTINATION_URL, "https://acme.example/deal-2")
                .where(LINK.ID.eq(seeded.linkId()))
                .execute();
        await(
                "the notified change",
                () -> router.app.cache().get("quiet").cookieMaxAgeSeconds() == 7 * 86_400
                        && router.app
                                .cache()
                                .get("quiet")
                                .destination()
                                .location(null, null)
                                .endsWith("/deal-2"));
        awaitChecks(1);

        double reloadsBefore = reloads();
        double mismatchesBefore = mismatches();
        awaitChecks(3);

        assertThat(reloads()).as("no full reload while the cache matches").isEqualTo(reloadsBefore);
        assertThat(mismatches()).isEqualTo(mismatchesBefore);
        LinkRepository.Checksum database = new LinkRepository(router.dsl(), router.endpoint).checksum();
        assertThat(database.links()).isEqualTo(router.app.cache().size());
        assertThat(database.fingerprint()).isEqualTo(router.app.cache().fingerprint());
    }

    @Test
    void aChangeNoNotificationAnnouncedIsRepairedByTheNextCheck() throws Exception {
        RouterHarness.Seeded seeded = router.seed("silent", "https://acme.example/home", "https://acme.example/deal");
        router.awaitCached("silent");
        // Let the seed's own notifications (program, partner, link) all be applied first: one read
        // after the silent change would carry it into the cache without any check.
        awaitChecks(2);
        double reloadsBefore = reloads();

        router.dsl().transaction(configuration -> {
            var tx = configuration.dsl();
            tx.execute("alter table link disable trigger link_notify");
            tx.update(LINK)
                    .set(LINK.DESTINATION_URL, "https://acme.example/moved")
                    .where(LINK.ID.eq(seeded.linkId()))
                    .execute();
            tx.execute("alter table link enable trigger link_notify");
        });

        await("the silent change to reach the redirect", () -> location("silent")
                .startsWith("https://acme.example/moved?cref="));
        assertThat(mismatches()).isGreaterThanOrEqualTo(1);
        // The redirect sees the link as soon as the reload puts it in the cache; the reload's timer
        // is recorded only when the whole load has streamed in, a moment later on a busy box.
        await("the full reload to be recorded", () -> reloads() > reloadsBefore);
    }

    /**
     * The LISTEN connection goes half-open (a proxy stops forwarding it; nothing is closed, so no
     * error ever reaches the driver): the listener must notice within seconds by itself, reconnect
     * and catch up, long before the next periodic check (60 s here).
     */
    @Test
    void aHalfOpenListenConnectionIsNoticedAndReplacedWithinSeconds() throws Exception {
        clickledger.db.DatabaseConfig.Endpoint endpoint =
                clickledger.testkit.PostgresFixture.get().newDatabase();
        try (TcpProxy proxy = TcpProxy.inFrontOf(endpoint.jdbcUrl())) {
            String proxied = clickledger.testkit.PostgresFixture.postgresUrl(new clickledger.db.DatabaseConfig.Endpoint(
                    proxy.rewrite(endpoint.jdbcUrl()), endpoint.user(), endpoint.password(), false));
            try (RouterHarness listening = new RouterHarness(
                    endpoint,
                    Map.of(
                            "DATABASE_URL",
                            clickledger.testkit.PostgresFixture.postgresUrl(endpoint),
                            "DATABASE_URL_DIRECT",
                            proxied,
                            "LINK_RELOAD_SECONDS",
                            "60"),
                    Clock.systemUTC())) {
                await("listening", () -> listening.app.refresher().listening());
                proxy.freezeOpen();
                assertThat(proxy.frozen()).as("the LISTEN connection").isPositive();

                listening.seed("after-freeze", "https://acme.example/home", null);
                long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                while (listening.app.cache().get("after-freeze") == null && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(listening.app.cache().get("after-freeze"))
                        .as("a link created while the LISTEN socket hung reaches the cache within seconds")
                        .isNotNull();
                assertThat(proxy.frozenClosedByClient())
                        .as("the hung connection was given up")
                        .isPositive();
            }
        }
    }

    private static String location(String slug) {
        try {
            return router.get("/r/" + slug, "User-Agent", BROWSER)
                    .headers()
                    .firstValue("Location")
                    .orElse("");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
