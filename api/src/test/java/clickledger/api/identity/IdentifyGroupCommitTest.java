package clickledger.api.identity;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ProgramLockHolder;
import clickledger.api.TestApi;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.api.event.Ledger;
import clickledger.api.group.GroupCommit.Outcome;
import clickledger.api.identity.IdentifyService.Result;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.web.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group commit of {@code POST /v1/identify} (decision 0031) against a real PostgreSQL: a batch
 * answers and stores exactly what the same stitches one by one do, concurrent requests over HTTP
 * end as one by one would, and a batch never waits behind another transaction's lock.
 */
class IdentifyGroupCommitTest {
    private static final Instant NOW = TestApi.START;
    private static final String TEN_PERCENT = "[{\"kind\":\"percent\",\"amount\":\"10\"}]";
    private static final String UNKNOWN_CREF = "01J00000000000000000000000";
    private static final Pattern ALONE_TOTAL =
            Pattern.compile("(?m)^clickledger_identify_alone_total(?:\\{[^}]*})? (\\S+)$");
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ledger = new Ledger(api);
    }

    @AfterAll
    static void stop() {
        // Also checks that the flows left no row pointing at a missing one (V70).
        ledger.close();
    }

    private static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMillis((long) (days * 86_400_000)));
    }

    /** A program with two partners and labelled clicks; "old" is stitched to click "old" already. */
    private record World(String program, UUID programId, Map<String, String> crefs, Map<String, String> partners) {
        String label(UUID clickId) {
            String cref = Ulid.encode(clickId);
            return crefs.entrySet().stream()
                    .filter(entry -> entry.getValue().equals(cref))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse("?" + cref);
        }

        String partner(UUID partnerId) {
            String id = partnerId == null ? null : Ulid.encode(partnerId);
            return partners.entrySet().stream()
                    .filter(entry -> entry.getValue().equals(id))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse("?" + id);
        }
    }

    private static World world(String run, String foreignCref) {
        String program = ledger.program("USD", "last_click", TEN_PERCENT);
        Ledger.Partner first = ledger.partner(program);
        Ledger.Partner second = ledger.partner(program);
        Map<String, String> crefs = new LinkedHashMap<>();
        crefs.put("c0", ledger.click(program, first, daysAgo(2)));
        crefs.put("c1", ledger.click(program, second, daysAgo(1)));
        crefs.put("c2", ledger.click(program, first, daysAgo(3)));
        crefs.put("bot", ledger.click(program, second, daysAgo(4), true, null));
        crefs.put("c4", ledger.click(program, first, daysAgo(0.5)));
        crefs.put("old", ledger.click(program, second, daysAgo(5)));
        crefs.put("unknown", UNKNOWN_CREF);
        crefs.put("foreign", foreignCref);
        ledger.identify(crefs.get("old"), run + "old").expect(201);
        // Two purchases before the user "waiting" has any identity: a first stitch backfills them.
        ledger.event(program, "o-1", run + "waiting", "50.00", daysAgo(0.3)).expect(201);
        ledger.event(program, "o-2", run + "waiting", "20.00", daysAgo(0.2)).expect(201);
        return new World(
                program, Ulid.parse(program).orElseThrow(), crefs, Map.of("first", first.id(), "second", second.id()));
    }

    private record Item(String user, String click, boolean scoped) {}

    private static Item item(String user, String click) {
        return new Item(user, click, true);
    }

    // Every case a batch meets, several in the same batch: the same stitch twice, two users of one
    // click, a stitch the database has already, a user's first and later stitches, an unknown cref,
    // another program's cref, a bot click, a user whose events wait (backfill) with several
    // stitches, and an admin key (no program scope).
    private static final List<Item> SCRIPT = List.of(
            item("u1", "c0"),
            item("u1", "c0"),
            item("u1", "c1"),
            item("u2", "c0"),
            item("old", "old"),
            item("old", "c2"),
            item("u3", "unknown"),
            item("u3", "foreign"),
            item("u3", "bot"),
            item("waiting", "c1"),
            item("waiting", "c2"),
            item("waiting", "c1"),
            new Item("u4", "c4", false),
            item("u2", "c0"),
            item("u3", "c2"));

    /** Records the events a listener is told about, as stored. */
    private static final class Recorder implements EventService.EventListener {
        final List<String> stored = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void stored(DSLContext trx, EventView view) {
            stored.add(view.eventId() + " " + view.attribution().status());
        }

        @Override
        public Announcement prepare(Pipeline reads) {
            return (writes, view) -> {};
        }
    }

    @Test
    void aBatchAnswersAndStoresExactlyWhatTheSameStitchesOneByOneDo() {
        String run = TestApi.unique("batch-");
        String foreign = foreignClick();
        World alone = world(run, foreign);
        World batched = world(run, foreign);
        Recorder aloneListener = new Recorder();
        Recorder batchListener = new Recorder();

        IdentifyService single = new IdentifyService(api.dsl(), api.clock(), aloneListener);
        List<Object> oneByOne = new ArrayList<>();
        for (Item item : SCRIPT) {
            try {
                oneByOne.add(single.identify(
                        alone.crefs().get(item.click()),
                        run + item.user(),
                        null,
                        item.scoped() ? alone.programId() : null));
            } catch (ApiException e) {
                oneByOne.add(e);
            }
        }

        List<Stitch> stitches = new ArrayList<>();
        for (Item item : SCRIPT) {
            stitches.add(Stitch.of(
                    batched.crefs().get(item.click()),
                    run + item.user(),
                    null,
                    item.scoped() ? batched.programId() : null,
                    api.clock()));
        }
        List<Outcome<Result>> outcomes = new IdentifyBatch(api.dsl(), batchListener).write(stitches);
        List<Object> together = new ArrayList<>();
        for (Outcome<Result> outcome : outcomes) {
            together.add(
                    switch (outcome) {
                        case Outcome.Done<Result> done -> done.value();
                        case Outcome.Failed<Result> failed -> failed.error();
                        case Outcome.Alone<Result> ignored ->
                            throw new AssertionError("the batch handed its stitches back");
                    });
        }

        List<String> expected = List.of(
                "201 first",
                "200 as item 0",
                "201",
                "201 first",
                "200 as stored",
                "201",
                "404 click_not_found",
                "404 click_not_found",
                "201 first",
                "201 first backfilled [o-1, o-2]",
                "201",
                "200 as item 9",
                "201 first",
                "200 as item 3",
                "201");
        assertThat(answers(oneByOne, run)).containsExactlyElementsOf(expected);
        assertThat(answers(together, run)).containsExactlyElementsOf(expected);
        assertThat(batchListener.stored).isEqualTo(aloneListener.stored).hasSize(2);
        assertThat(stored(batched)).isEqualTo(stored(alone)).hasSize(10);
        assertThat(ledgerRows(batched)).isEqualTo(ledgerRows(alone)).isNotEmpty();
    }

    @Test
    void concurrentRequestsOverHttpAreAnsweredAndStoredAsOneByOne() throws Exception {
        String run = TestApi.unique("http-");
        String foreign = foreignClick();
        World alone = world(run, foreign);
        World together = world(run, foreign);
        String aloneKey = secretKey(alone.program());
        String togetherKey = secretKey(together.program());
        List<String[]> requests = new ArrayList<>();
        Random random = new Random(17);
        List<String> clicks = List.of("c0", "c1", "c2", "bot", "c4", "old");
        for (int u = 0; u < 16; u++) {
            String user = u == 0 ? "old" : u == 1 ? "waiting" : "u" + u;
            for (int k = 0; k < 3; k++) {
                String click = clicks.get(random.nextInt(clicks.size()));
                // The waiting user's events are attributed at their first identity, whichever
                // stitch the writer takes first: only billable clicks, or the outcome would depend
                // on that order (a bot click first leaves them no_click, in both worlds alike).
                if (u == 1 && (click.equals("bot") || click.equals("old"))) {
                    click = "c1";
                }
                for (int copy = 0; copy < 1 + random.nextInt(3); copy++) {
                    requests.add(new String[] {user, click});
                }
            }
            requests.add(new String[] {user, random.nextBoolean() ? "unknown" : "foreign"});
        }
        for (int bad = 0; bad < 6; bad++) {
            requests.add(new String[] {bad % 2 == 0 ? null : "u2", bad % 2 == 0 ? "c0" : "not-a-cref"});
        }
        Collections.shuffle(requests, random);

        // One by one into one program, all at once from 32 clients into its twin.
        List<TestApi.Response> oneByOne = new ArrayList<>();
        for (String[] request : requests) {
            oneByOne.add(identify(alone, aloneKey, run, request));
        }
        List<TestApi.Response> concurrent = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
            List<Future<TestApi.Response>> answers = new ArrayList<>();
            for (String[] request : requests) {
                answers.add(clients.submit(() -> {
                    go.await();
                    return identify(together, togetherKey, run, request);
                }));
            }
            go.countDown();
            for (Future<TestApi.Response> answer : answers) {
                concurrent.add(answer.get(30, TimeUnit.SECONDS));
            }
        }

        assertThat(stored(together)).isEqualTo(stored(alone));
        assertThat(ledgerRows(together)).isEqualTo(ledgerRows(alone)).isNotEmpty();
        // Which of a pair of concurrent duplicates is created is the order they met the writer in;
        // what every (user, click) got in all must be the same, and every 200 names the identity
        // the 201 created.
        assertThat(outcomesByStitch(requests, concurrent)).isEqualTo(outcomesByStitch(requests, oneByOne));
        Map<String, String> created = new HashMap<>();
        Map<String, Integer> firsts = new TreeMap<>();
        for (int i = 0; i < requests.size(); i++) {
            TestApi.Response response = concurrent.get(i);
            String stitch = requests.get(i)[0] + "/" + requests.get(i)[1];
            if (response.status() == 201) {
                assertThat(created.put(stitch, response.json().get("identityId").asText()))
                        .isNull();
                if (response.json().get("firstStitch").asBoolean()) {
                    firsts.merge(requests.get(i)[0], 1, Integer::sum);
                }
            }
        }
        for (int i = 0; i < requests.size(); i++) {
            TestApi.Response response = concurrent.get(i);
            String stitch = requests.get(i)[0] + "/" + requests.get(i)[1];
            if (response.status() == 200 && created.containsKey(stitch)) {
                assertThat(response.json().get("identityId").asText()).isEqualTo(created.get(stitch));
            }
        }
        // Every user but "old" (stitched before) had exactly one first stitch.
        assertThat(firsts).doesNotContainKey("old").allSatisfy((user, count) -> assertThat(count)
                .isEqualTo(1));
        assertThat(firsts).containsKeys("waiting", "u2", "u15");
    }

    @Test
    void aBatchDoesNotWaitBehindAProgramLockButHandsItsStitchesBackToBeDoneAlone() throws Exception {
        String run = TestApi.unique("locked-");
        TwoPrograms programs = twoPrograms();
        String lockedCref = programs.lockedCref();
        String freeCref = programs.freeCref();
        // A re-derivation holds its program's lock exclusively for the whole run.
        try (ProgramLockHolder lock = ProgramLockHolder.hold(api, programs.locked())) {
            double handedBack = handedBack();
            CompletableFuture<TestApi.Response> waiting =
                    CompletableFuture.supplyAsync(() -> ledger.identify(lockedCref, run + "a"));
            // Its batch does not wait for the lock: it hands the stitch back to its request, which
            // waits alone (ProgramLocks); the writer is free again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (handedBack() == handedBack && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(handedBack()).isGreaterThan(handedBack);
            CompletableFuture<TestApi.Response> other =
                    CompletableFuture.supplyAsync(() -> ledger.identify(freeCref, run + "b"));
            assertThat(other.get(3, TimeUnit.SECONDS).status()).isEqualTo(201);
            assertThat(waiting).isNotDone();
            lock.release();
            assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
        }
    }

    @Test
    @SuppressWarnings("try") // the holder is held, not used
    void aBatchHandsBackOnlyTheReDerivedProgramsStitchesAndWritesTheOthers() throws Exception {
        String run = TestApi.unique("busy-");
        TwoPrograms programs = twoPrograms();
        String lockedCref = programs.lockedCref();
        String freeCref = programs.freeCref();
        List<Outcome<Result>> outcomes;
        try (ProgramLockHolder ignored = ProgramLockHolder.hold(api, programs.locked())) {
            outcomes = new IdentifyBatch(api.dsl(), EventService.EventListener.NONE)
                    .write(List.of(
                            Stitch.of(lockedCref, run + "a", null, null, api.clock()),
                            Stitch.of(freeCref, run + "b", null, null, api.clock()),
                            Stitch.of(lockedCref, run + "c", null, null, api.clock())));
        }
        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Alone.class);
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Alone.class);
        // Before, the whole batch met the lock's timeout and handed every stitch back.
        assertThat(outcomes.get(1))
                .isInstanceOfSatisfying(Outcome.Done.class, done -> assertThat(((Result) done.value()).created())
                        .isTrue());
        assertThat(identities(run)).containsExactly(run + "b");
    }

    /** A program a test will lock (as a re-derivation does) and another, each with a click a day old. */
    private record TwoPrograms(String locked, String lockedCref, String free, String freeCref) {}

    private static TwoPrograms twoPrograms() {
        String locked = ledger.program("USD", "last_click", TEN_PERCENT);
        String free = ledger.program("USD", "last_click", TEN_PERCENT);
        return new TwoPrograms(
                locked,
                ledger.click(locked, ledger.partner(locked), daysAgo(1)),
                free,
                ledger.click(free, ledger.partner(free), daysAgo(1)));
    }

    private static List<String> identities(String userPrefix) {
        return api.dsl()
                .fetch("select user_id from identity where user_id like ? order by user_id", userPrefix + "%")
                .getValues(0, String.class);
    }

    /** clickledger_identify_alone_total: stitches batches handed back to be done one by one. */
    private static double handedBack() {
        Matcher sample = ALONE_TOTAL.matcher(api.get("/metrics").body());
        assertThat(sample.find())
                .as("clickledger_identify_alone_total in /metrics")
                .isTrue();
        return Double.parseDouble(sample.group(1));
    }

    @Test
    void aStitchThatAnotherWriterIsInsertingUnlockedIsHandedBackNotFailed() throws Exception {
        String run = TestApi.unique("race-");
        String program = ledger.program("USD", "last_click", TEN_PERCENT);
        String cref = ledger.click(program, ledger.partner(program), daysAgo(1));
        UUID programId = Ulid.parse(program).orElseThrow();
        UUID clickId = Ulid.parse(cref).orElseThrow();
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // An importer inserts identities without the user's lock; its row is not committed yet.
        CompletableFuture<Void> importer =
                CompletableFuture.runAsync(() -> api.dsl().transaction(trx -> {
                    trx.dsl()
                            .execute(
                                    "insert into identity (id, program_id, click_id, click_ts, user_id, ts)"
                                            + " values (?::uuid, ?::uuid, ?::uuid, ?::timestamptz, ?, now())",
                                    UUID.randomUUID(),
                                    programId,
                                    clickId,
                                    Ulid.instant(clickId).toString(),
                                    run + "u");
                    inserted.countDown();
                    release.await();
                }));
        awaitHeld(inserted, importer);
        try {
            CompletableFuture<List<Outcome<Result>>> outcomes =
                    CompletableFuture.supplyAsync(() -> new IdentifyBatch(api.dsl(), EventService.EventListener.NONE)
                            .write(List.of(
                                    Stitch.of(cref, run + "u", null, programId, api.clock()),
                                    Stitch.of(cref, run + "v", null, programId, api.clock()))));
            // Not blocked until the importer commits: the batch gives up waiting for its row.
            assertThat(outcomes.get(5, TimeUnit.SECONDS)).containsExactly(new Outcome.Alone<>(), new Outcome.Alone<>());
        } finally {
            release.countDown();
            importer.get(10, TimeUnit.SECONDS);
        }
        assertThat(api.dsl().fetchValue("select count(*) from identity where program_id = ?", programId))
                .isEqualTo(1L);
    }

    @Test
    void anApiShuttingDownRefusesStitches503WithRetryAfter() {
        try (TestApi own = TestApi.start()) {
            Ledger ownLedger = new Ledger(own);
            String program = ownLedger.program("USD", "last_click", TEN_PERCENT);
            String cref = ownLedger.click(program, ownLedger.partner(program), daysAgo(1));
            ownLedger.identify(cref, "before").expect(201);
            assertThat(own.get("/metrics").body())
                    .containsPattern("clickledger_identify_batch_size_count(\\{[^}]*})? 1(\\.0)?\n");
            own.app().identify().close();
            TestApi.Response refused = ownLedger.identify(cref, "after");
            refused.expect(503);
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            assertThat(refused.json().get("code").asText()).isEqualTo("shutting_down");
        }
    }

    @Test
    void withGroupCommitOffEveryStitchIsItsOwnTransaction() {
        try (TestApi own = TestApi.start(Map.of("IDENTIFY_GROUP_COMMIT", "false"))) {
            Ledger ownLedger = new Ledger(own);
            String program = ownLedger.program("USD", "last_click", TEN_PERCENT);
            String cref = ownLedger.click(program, ownLedger.partner(program), daysAgo(1));
            ownLedger.identify(cref, "u").expect(201);
            ownLedger.identify(cref, "u").expect(200);
            assertThat(own.get("/metrics").body()).doesNotContain("clickledger_identify_batch_size");
        }
    }

    /** Waits for {@code latch}, failing with the holder's own error if it ended first. */
    private static void awaitHeld(CountDownLatch latch, CompletableFuture<Void> holder) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!latch.await(10, TimeUnit.MILLISECONDS)) {
            if (holder.isDone()) {
                holder.get();
            }
            assertThat(System.nanoTime())
                    .as("the other transaction took its lock in time")
                    .isLessThan(deadline);
        }
    }

    /** A click of a program of its own, which no world's key may stitch to. */
    private static String foreignClick() {
        String program = ledger.program("USD", "last_click", TEN_PERCENT);
        return ledger.click(program, ledger.partner(program), daysAgo(1));
    }

    private static String secretKey(String program) {
        return api.post(
                        "/v1/api-keys",
                        """
                        {"kind":"secret","programId":"%s","name":"shop backend"}"""
                                .formatted(program))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    private static TestApi.Response identify(World world, String key, String run, String[] request) {
        String body = request[0] == null
                ? "{\"cref\":\"%s\"}".formatted(world.crefs().get(request[1]))
                : "{\"cref\":\"%s\",\"userId\":\"%s\"}"
                        .formatted(world.crefs().getOrDefault(request[1], request[1]), run + request[0]);
        return api.send("POST", "/v1/identify", body, key);
    }

    /** Per (user, click): the sorted statuses and problem codes its requests got. */
    private static Map<String, List<String>> outcomesByStitch(
            List<String[]> requests, List<TestApi.Response> responses) {
        Map<String, List<String>> outcomes = new TreeMap<>();
        for (int i = 0; i < requests.size(); i++) {
            TestApi.Response response = responses.get(i);
            String outcome = response.status() >= 400
                    ? response.status() + " " + response.json().get("code").asText()
                    : Integer.toString(response.status());
            outcomes.computeIfAbsent(requests.get(i)[0] + "/" + requests.get(i)[1], key -> new ArrayList<>())
                    .add(outcome);
        }
        outcomes.values().forEach(Collections::sort);
        return outcomes;
    }

    /** Each answer as its status and what it says, identities named by the item that created them. */
    private static List<String> answers(List<Object> answers, String run) {
        Map<String, Integer> createdBy = new HashMap<>();
        List<String> described = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            switch (answers.get(i)) {
                case ApiException e -> described.add(e.status() + " " + e.code());
                case Result result -> {
                    assertThat(result.userId()).startsWith(run);
                    StringBuilder text = new StringBuilder(result.created() ? "201" : "200");
                    if (result.created()) {
                        createdBy.put(result.identityId(), i);
                        if (result.firstStitch()) {
                            text.append(" first");
                        }
                    } else {
                        Integer by = createdBy.get(result.identityId());
                        text.append(by == null ? " as stored" : " as item " + by);
                    }
                    if (!result.backfilledEventIds().isEmpty()) {
                        text.append(" backfilled ").append(result.backfilledEventIds());
                    }
                    described.add(text.toString());
                }
                default -> throw new AssertionError(answers.get(i));
            }
        }
        return described;
    }

    /** The program's identities, each as user, click, partner, link-ness and billable. */
    private static List<String> stored(World world) {
        List<String> rows = new ArrayList<>();
        api.dsl()
                .fetch(
                        "select user_id, click_id, partner_id, link_id is not null, billable, ts = created_at"
                                + " from identity where program_id = ?",
                        world.programId())
                .forEach(row -> rows.add(row.get(0, String.class) + " " + world.label(row.get(1, UUID.class)) + " "
                        + world.partner(row.get(2, UUID.class)) + " " + row.get(3) + " " + row.get(4) + " "
                        + row.get(5)));
        Collections.sort(rows);
        return rows;
    }

    /** The program's events with their attribution and commissions. */
    private static List<String> ledgerRows(World world) {
        List<String> rows = new ArrayList<>();
        api.dsl()
                .fetch(
                        """
                        select e.event_key, e.user_id, e.attribution_status, c.partner_id, c.amount_minor, c.status
                          from event e left join commission c on c.event_id = e.id
                         where e.program_id = ?""",
                        world.programId())
                .forEach(row -> rows.add(row.get(0) + " " + row.get(1) + " " + row.get(2) + " "
                        + (row.get(3) == null ? "-" : world.partner(row.get(3, UUID.class))) + " " + row.get(4) + " "
                        + row.get(5)));
        Collections.sort(rows);
        return rows;
    }
}
