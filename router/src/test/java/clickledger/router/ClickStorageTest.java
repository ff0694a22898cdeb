package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.router.click.Click;
import clickledger.router.click.ClickWriter;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClickStorageTest {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(Map.of("CLICK_VELOCITY_LIMIT", "3"), java.time.Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    @Test
    void partitionsExistForThisMonthAndTheNextThree() {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        assertThat(PartitionMaintenance.attachedPartitions(router.dsl()))
                .contains("click_default")
                .contains(PartitionMaintenance.partitionName(now))
                .contains(PartitionMaintenance.partitionName(now.plusMonths(3)));
    }

    @Test
    void redirectedClickLandsInThisMonthsPartition() throws Exception {
        router.seed("monthly", "https://acme.example/", null);
        router.awaitCached("monthly");
        UUID id = RedirectTest.crefOf(router.get("/r/monthly", "User-Agent", BROWSER));
        assertThat(partitionOf(id)).isEqualTo(PartitionMaintenance.partitionName(YearMonth.now(ZoneOffset.UTC)));
    }

    @Test
    void clickOutsideEveryMonthLandsInTheDefaultPartition() throws Exception {
        RouterHarness.Seeded seeded = router.seed("timeless", "https://acme.example/", null);
        Instant farFuture = Instant.parse("2099-06-15T12:00:00Z");
        Instant farPast = Instant.parse("1999-01-01T00:00:00Z");
        UUID future = write(seeded, farFuture.toEpochMilli());
        UUID past = write(seeded, farPast.toEpochMilli());
        assertThat(partitionOf(future)).isEqualTo("click_default");
        assertThat(partitionOf(past)).isEqualTo("click_default");
    }

    @Test
    void lookupByCrefScansOnePartition() throws Exception {
        router.seed("pruned", "https://acme.example/", null);
        router.awaitCached("pruned");
        UUID id = RedirectTest.crefOf(router.get("/r/pruned", "User-Agent", BROWSER));
        String plan = String.join(
                "\n",
                router.dsl()
                        .fetch(
                                "explain select * from click where id = ?::uuid and ts = ?::timestamptz",
                                id.toString(),
                                Ulid.instant(id).toString())
                        .getValues(0, String.class));
        assertThat(plan).contains(PartitionMaintenance.partitionName(YearMonth.now(ZoneOffset.UTC)));
        assertThat(plan.split(" on click_", -1)).as(plan).hasSize(2);
    }

    @Test
    void botsAreRedirectedAndStoredWithTheirReason() throws Exception {
        router.seed("botty", "https://acme.example/", null);
        router.awaitCached("botty");
        Map<String, String> agents = Map.of(
                "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link_preview:slack",
                "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36", "headless:chrome",
                "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "uptime:uptimerobot",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "crawler:google");
        for (var agent : agents.entrySet()) {
            HttpResponse<String> response = router.get("/r/botty", "User-Agent", agent.getKey());
            assertThat(response.statusCode()).isEqualTo(302);
            var row = router.dsl()
                    .selectFrom(CLICK)
                    .where(CLICK.ID.eq(RedirectTest.crefOf(response)))
                    .fetchOne();
            assertThat(row.get(CLICK.IS_BOT)).as(agent.getKey()).isTrue();
            assertThat(row.get(CLICK.BOT_REASON)).isEqualTo(agent.getValue());
        }
        HttpResponse<Void> head = router.http.send(
                java.net.http.HttpRequest.newBuilder(router.uri("/r/botty"))
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .header("User-Agent", BROWSER)
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(302);
        String location = head.headers().firstValue("Location").orElseThrow();
        UUID headClick =
                Ulid.parse(location.substring(location.indexOf("cref=") + 5)).orElseThrow();
        assertThat(router.dsl()
                        .select(CLICK.BOT_REASON)
                        .from(CLICK)
                        .where(CLICK.ID.eq(headClick))
                        .fetchOne(0))
                .isEqualTo("head_request");
    }

    @Test
    void burstsFromOneClientOnOneLinkAreFlaggedButStillRedirected() throws Exception {
        RouterHarness.Seeded seeded = router.seed("bursty", "https://acme.example/", null);
        router.seed("calm", "https://acme.example/", null);
        router.awaitCached("bursty");
        router.awaitCached("calm");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = router.get("/r/bursty", "User-Agent", BROWSER);
            assertThat(response.statusCode()).isEqualTo(302);
            flags.add(router.dsl()
                    .select(CLICK.FRAUD_FLAG)
                    .from(CLICK)
                    .where(CLICK.ID.eq(RedirectTest.crefOf(response)))
                    .fetchOne(CLICK.FRAUD_FLAG));
        }
        assertThat(flags).containsExactly(null, null, null, "velocity", "velocity");
        HttpResponse<String> other = router.get("/r/calm", "User-Agent", BROWSER);
        assertThat(router.dsl()
                        .select(CLICK.FRAUD_FLAG)
                        .from(CLICK)
                        .where(CLICK.ID.eq(RedirectTest.crefOf(other)))
                        .fetchOne(CLICK.FRAUD_FLAG))
                .as("the limit is per link")
                .isNull();
        assertThat(router.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(seeded.linkId())))
                .isEqualTo(5);
    }

    private UUID write(RouterHarness.Seeded seeded, long epochMillis) throws Exception {
        UUID id = Ulid.newUuidV7(epochMillis);
        Click click = new Click(
                id,
                epochMillis,
                seeded.linkId(),
                seeded.programId(),
                seeded.partnerId(),
                null,
                "test",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null,
                null);
        CompletableFuture<Void> done = new CompletableFuture<>();
        assertThat(router.app.writer().submit(click, new ClickWriter.Completion() {
                    @Override
                    public void durable() {
                        done.complete(null);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        done.completeExceptionally(cause);
                    }
                }))
                .isTrue();
        done.get(10, TimeUnit.SECONDS);
        return id;
    }

    private String partitionOf(UUID id) {
        return router.dsl()
                .select(org.jooq.impl.DSL.field("tableoid::regclass::text", String.class))
                .from(CLICK)
                .where(CLICK.ID.eq(id))
                .fetchOne(0, String.class);
    }
}
