package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/events/batch} stores what posting its items one by one to {@code POST /v1/events}
 * stores, and answers each item as the single endpoint would have: the same events posted one by
 * one into one program and in batches into an identical second one leave the same ledger.
 */
class EventBatchTest {
    private static final Instant NOW = TestApi.START;
    private static final String RULES = Ledger.RULES_WITH_HISTORY;
    private static TestApi api;
    /** The same api without the group commit: {@code POST /v1/events} one transaction per event, the reference. */
    private static TestApi singlePath;

    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of(
                "WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_WORKER_ENABLED", "false", "EVENT_GROUP_COMMIT", "true"));
        singlePath = api.replica(Map.of("EVENT_GROUP_COMMIT", "false"));
        ledger = new Ledger(api);
        api.post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\"}").expect(201);
    }

    @AfterAll
    static void stop() {
        // Also checks that the flows left no row pointing at a missing one (V70).
        ledger.close();
    }

    /** An item of the scenario: its body without the programId, which each program's copy adds. */
    private record Item(String json) {
        String in(String program) {
            return "{\"programId\":\"" + program + "\"," + json.substring(1);
        }
    }

    private static Item event(String eventId, String user, String type, String value, Instant ts) {
        return new Item("{\"eventId\":\"%s\",\"userId\":\"%s\",\"type\":\"%s\",\"value\":\"%s\",\"ts\":\"%s\"}"
                .formatted(eventId, user, type, value, ts));
    }

    private static Item refund(String eventId, String user, String of, String value) {
        // With its time: without one, an event is of the time it arrives, which differs between the programs.
        return new Item("{\"eventId\":\"%s\",\"userId\":\"%s\",\"type\":\"refund\",\"refundOf\":\"%s\",\"ts\":\"%s\"%s}"
                .formatted(eventId, user, of, NOW, value == null ? "" : ",\"value\":\"" + value + "\""));
    }

    private static String batch(String program, List<Item> items) {
        return "{\"events\":["
                + String.join(",", items.stream().map(item -> item.in(program)).toList()) + "]}";
    }

    @Test
    void batchesStoreAndAnswerWhatOneByOneStoresAndAnswers() {
        String single = ledger.program("EUR", "linear", RULES);
        String batched = ledger.program("EUR", "linear", RULES);
        // The same partners in both programs, each with a link in each; one with rules of its own.
        List<String> partners = List.of(api.createPartner(), api.createPartner(), api.createPartner());
        Map<String, List<Ledger.Partner>> links = links(List.of(single, batched), partners);
        for (String program : List.of(single, batched)) {
            api.patch(
                            "/v1/programs/" + program + "/partners/" + partners.get(2),
                            "{\"commissionRules\":[{\"trigger\":\"first\",\"kind\":\"percent\",\"amount\":\"20\"}]}")
                    .expect(200);
        }
        Random random = new Random(17);
        List<Item> items = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int u = 0; u < 10; u++) {
            String user = TestApi.unique("bu-");
            users.add(user);
            // Every fifth user has no identity: stored as no_identity.
            int clicks = u % 5 == 4 ? 0 : 1 + random.nextInt(3);
            for (int c = 0; c < clicks; c++) {
                int partner = random.nextInt(partners.size());
                // The first click is billable and before every event, so every refund has commissions to reverse.
                Instant at = c == 0
                        ? NOW.minus(Duration.ofDays(30))
                        : NOW.minus(Duration.ofDays(1 + random.nextInt(40))).minusSeconds(random.nextInt(3600));
                boolean bot = c > 0 && random.nextInt(8) == 0;
                for (String program : List.of(single, batched)) {
                    ledger.identify(ledger.click(program, links.get(program).get(partner), at, bot, null), user)
                            .expect(201);
                }
            }
            for (int e = 0; e < 4; e++) {
                items.add(event(
                        "o-" + u + "-" + e,
                        user,
                        e % 2 == 0 ? "purchase" : "renewal",
                        (10 + random.nextInt(200)) + "." + (10 + random.nextInt(90)),
                        // The fourth user's events all have one time: re-derivation orders them by id.
                        u == 3
                                ? NOW.minus(Duration.ofDays(5))
                                : NOW.minus(Duration.ofDays(12 - 3L * e)).minusSeconds(random.nextInt(3600))));
            }
        }
        // Refunds of an item of the same batch and of an earlier batch; repeats and bad items.
        items.add(2, refund("r-0", users.get(0), "o-0-1", "3.00"));
        items.add(5, event("o-0-1", users.get(0), "renewal", "1.00", NOW.minus(Duration.ofDays(1))));
        items.add(6, items.get(0));
        items.add(7, event("bad-value", users.get(1), "purchase", "1.234", NOW.minus(Duration.ofDays(2))));
        items.add(8, event("future", users.get(1), "purchase", "5.00", NOW.plus(Duration.ofHours(1))));
        items.add(
                9,
                new Item(
                        "{\"eventId\":\"usd\",\"userId\":\"%s\",\"type\":\"purchase\",\"value\":\"5.00\",\"currency\":\"USD\"}"
                                .formatted(users.get(1))));
        items.add(refund("r-1", users.get(1), "o-1-0", null));
        items.add(refund("r-1-again", users.get(1), "o-1-0", "1.00"));
        items.add(refund("r-2", users.get(2), "o-2-0", "100000.00"));
        items.add(items.get(items.size() - 3));

        List<JsonNode> oneByOne = new ArrayList<>();
        for (Item item : items) {
            TestApi.Response response = singlePath.post("/v1/events", item.in(single));
            oneByOne.add(answer(response.status(), response.json()));
        }
        List<JsonNode> batchedAnswers = new ArrayList<>();
        for (int from = 0; from < items.size(); from += 10) {
            List<Item> slice = items.subList(from, Math.min(items.size(), from + 10));
            JsonNode results = api.post("/v1/events/batch", batch(batched, slice))
                    .expect(200)
                    .json()
                    .get("results");
            assertThat(results).hasSize(slice.size());
            for (int i = 0; i < slice.size(); i++) {
                JsonNode result = results.get(i);
                int status = result.get("status").asInt();
                JsonNode body = result.has("event") ? result.get("event") : result.get("problem");
                if (result.has("problem")) {
                    // Fields named from the batch; as said of one event, they are the single endpoint's.
                    assertThat(body.get("status").asInt()).isEqualTo(status);
                    for (JsonNode error : body.path("errors")) {
                        assertThat(error.get("field").asText()).startsWith("events[" + i + "]");
                    }
                }
                batchedAnswers.add(answer(status, body));
            }
        }
        assertThat(batchedAnswers).isEqualTo(oneByOne);
        assertThat(oneByOne.stream().map(answer -> answer.get("http").asInt())).contains(201, 200, 400, 409);

        assertThat(ledgerOf(batched)).isEqualTo(ledgerOf(single)).hasSizeGreaterThan(40);
        assertThat(webhooksOf(batched)).isEqualTo(webhooksOf(single));
        assertThat(webhooksOf(batched)).containsKeys("conversion.created", "commission.created", "commission.reversed");
        ledger.assertNothingToRederive(single);
        ledger.assertNothingToRederive(batched);
    }

    /** A link of each partner in each program: the programs' partners, in the order given. */
    private static Map<String, List<Ledger.Partner>> links(List<String> programs, List<String> partners) {
        Map<String, List<Ledger.Partner>> links = new java.util.HashMap<>();
        for (String program : programs) {
            for (String partner : partners) {
                String link = api.post(
                                "/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, partner))
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();
                links.computeIfAbsent(program, p -> new ArrayList<>()).add(new Ledger.Partner(partner, link));
            }
        }
        return links;
    }

    /** An answer without what differs between the two programs (ids), for comparison. */
    private static JsonNode answer(int status, JsonNode body) {
        var node = clickledger.web.Json.MAPPER.createObjectNode();
        node.put("http", status);
        if (status >= 400) {
            node.put("code", body.get("code").asText());
            List<String> fields = new ArrayList<>();
            body.path("errors")
                    .forEach(error -> fields.add(error.get("field").asText().replaceFirst("^events\\[\\d+]\\.?", "")));
            node.put("fields", String.join(",", fields));
            node.put("detail", body.get("detail").asText().replaceAll("events\\[\\d+]\\.?", ""));
            return node;
        }
        for (String field : List.of("eventId", "userId", "type", "value", "currency", "ts", "refundOf")) {
            node.set(field, body.get(field));
        }
        node.put("attribution", body.at("/attribution/status").asText());
        List<String> touches = new ArrayList<>();
        body.at("/attribution/touches")
                .forEach(touch -> touches.add(touch.get("partnerId").asText() + " "
                        + touch.get("weight").asText() + " "
                        + touch.get("value").asText() + " "
                        + touch.get("commissionIds").size()));
        node.put("touches", String.join("; ", touches));
        List<String> commissions = new ArrayList<>();
        body.get("commissions")
                .forEach(c -> commissions.add(c.get("partnerId").asText() + " "
                        + c.get("amount").asText() + " " + c.get("status").asText() + " "
                        + c.get("holdUntil").asText()));
        node.put("commissions", String.join("; ", commissions));
        return node;
    }

    /** A program's events, attributions and commissions, one line each, without ids. */
    private static List<String> ledgerOf(String program) {
        UUID id = Ulid.parse(program).orElseThrow();
        List<String> rows = new ArrayList<>();
        rows.addAll(api.dsl()
                .fetch(
                        """
                        select 'event ' || e.event_key || ' ' || e.user_id || ' ' || e.type || ' ' || coalesce(e.value_minor::text, '-')
                               || ' ' || e.ts || ' ' || coalesce(e.attribution_status, '-') || ' ' || coalesce(e.model, '-')
                               || ' ' || coalesce(o.event_key, '-')
                          from event e left join event o on o.id = e.refund_of
                         where e.program_id = ?""",
                        id)
                .getValues(0, String.class));
        rows.addAll(api.dsl()
                .fetch(
                        """
                        select 'attribution ' || e.event_key || ' ' || a.partner_id || ' ' || a.click_ts || ' ' || a.weight
                               || ' ' || a.value_minor || ' ' || a.model
                          from attribution a join event e on e.id = a.event_id
                         where e.program_id = ?""",
                        id)
                .getValues(0, String.class));
        rows.addAll(api.dsl()
                .fetch(
                        """
                        select 'commission ' || e.event_key || ' ' || c.partner_id || ' ' || c.kind || ' '
                               || coalesce(c.rule_index::text, '-') || ' ' || c.amount_minor || ' ' || c.status || ' '
                               || c.hold_until || ' ' || coalesce(a.click_ts::text, '-') || ' ' || coalesce(oe.event_key, '-')
                          from commission c join event e on e.id = c.event_id
                          left join attribution a on a.id = c.attribution_id
                          left join commission o on o.id = c.reverses_id
                          left join event oe on oe.id = o.event_id
                         where c.program_id = ?""",
                        id)
                .getValues(0, String.class));
        return rows.stream().sorted().toList();
    }

    /** The program's webhook deliveries by type. */
    private static Map<String, Integer> webhooksOf(String program) {
        return api.dsl()
                .fetch(
                        "select event_type, count(*)::int from webhook_delivery where payload->'data'->>'programId' = ?"
                                + " group by event_type",
                        program)
                .intoMap(r -> r.get(0, String.class), r -> r.get(1, Integer.class));
    }

    private static String key(String kind, String programId) {
        return api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"%s\",\"programId\":\"%s\",\"name\":\"migration\"}".formatted(kind, programId))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    private static int events(String program) {
        return api.dsl()
                .fetchOne(
                        "select count(*)::int from event where program_id = ?",
                        Ulid.parse(program).orElseThrow())
                .get(0, Integer.class);
    }

    @Test
    void aBadItemGetsItsOwnProblemAndTheRestAreStored() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        ledger.event(program, "taken", "u-1", "10.00", NOW.minusSeconds(60)).expect(201);
        String body =
                """
                {"events":[
                 {"programId":"%1$s","eventId":"ok-1","userId":"u-1","type":"purchase","value":"10.00"},
                 {"programId":"%1$s","eventId":"v","userId":"u-1","type":"purchase","value":"1.234"},
                 {"programId":"%1$s","eventId":"t","userId":"u-1","type":"purchase","ts":"%2$s"},
                 {"programId":"%1$s","eventId":"c","userId":"u-1","type":"purchase","value":"1.00","currency":"EUR"},
                 {"programId":"%1$s","eventId":"taken","userId":"u-1","type":"purchase","value":"11.00"},
                 42,
                 {"programId":"%1$s","eventId":"x","userId":"u-1","type":"purchase","colour":"red"},
                 {"programId":"%1$s","userId":"u-1","type":"purchase"},
                 {"programId":"%1$s","eventId":"ok-2","userId":"u-2","type":"signup"}
                ]}"""
                        .formatted(program, NOW.plus(Duration.ofDays(1)));
        JsonNode results = api.post("/v1/events/batch", body).expect(200).json().get("results");

        assertThat(results).hasSize(9);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(0).at("/event/eventId").asText()).isEqualTo("ok-1");
        assertThat(results.get(8).get("status").asInt()).isEqualTo(201);
        String[] fields = {
            null,
            "events[1].value",
            "events[2].ts",
            "events[3].currency",
            null,
            "events[5]",
            "events[6].colour",
            "events[7].eventId",
            null
        };
        for (int i = 1; i < 8; i++) {
            JsonNode result = results.get(i);
            assertThat(result.has("event")).as("item %d", i).isFalse();
            if (fields[i] != null) {
                assertThat(result.get("status").asInt()).as("item %d", i).isEqualTo(400);
                assertThat(result.at("/problem/errors/0/field").asText())
                        .as("item %d", i)
                        .isEqualTo(fields[i]);
                assertThat(result.at("/problem/detail").asText())
                        .as("item %d", i)
                        .startsWith(fields[i] + ": ");
            }
        }
        assertThat(results.get(4).get("status").asInt()).isEqualTo(409);
        assertThat(results.get(4).at("/problem/code").asText()).isEqualTo("event_id_reused");
        assertThat(results.get(4).at("/problem/detail").asText()).startsWith("events[4].eventId: ");
        assertThat(events(program)).isEqualTo(3);
    }

    /**
     * The group commit (decision 0030): single events posted all at once, so that the writer
     * takes them in groups, store and answer what posting them one by one in the writer's order
     * stores and answers. That order is read from the answers: the created events' ids increase in
     * the order the writer derived them; the rest (repeats, conflicts, problems) come after, where
     * their answers do not depend on their place.
     */
    @Test
    void concurrentSingleEventsAreGroupedAndAnsweredAsOneByOneInTheWritersOrder() throws Exception {
        groupedAsOneByOne(api);
    }

    /**
     * The same with two writers: each user's events go to one writer (EventGroupCommit.shard), so
     * a user's events are still derived in the order of their ids; users never interact.
     */
    @Test
    void twoWritersAnswerAsOneByOneInEachUsersOrder() throws Exception {
        TestApi twoWriters = api.replica(Map.of("EVENT_GROUP_COMMIT", "true", "EVENT_GROUP_COMMIT_WRITERS", "2"));
        try {
            groupedAsOneByOne(twoWriters);
        } finally {
            twoWriters.close();
        }
    }

    private void groupedAsOneByOne(TestApi grouping) throws Exception {
        String grouped = ledger.program("EUR", "linear", RULES);
        String twin = ledger.program("EUR", "linear", RULES);
        List<String> partners = List.of(api.createPartner(), api.createPartner());
        Map<String, List<Ledger.Partner>> links = links(List.of(grouped, twin), partners);
        Random random = new Random(30);
        List<String> users = new ArrayList<>();
        for (int u = 0; u < 8; u++) {
            String user = TestApi.unique("gu-");
            users.add(user);
            // Users 6 and 7 have no identity.
            for (int c = 0; c < (u >= 6 ? 0 : 1 + random.nextInt(2)); c++) {
                int partner = random.nextInt(partners.size());
                Instant at = NOW.minus(Duration.ofDays(2 + random.nextInt(20)));
                for (String program : List.of(grouped, twin)) {
                    ledger.identify(ledger.click(program, links.get(program).get(partner), at, false, null), user)
                            .expect(201);
                }
            }
        }
        // Stored before: the burst refunds them.
        for (String program : List.of(grouped, twin)) {
            singlePath
                    .post(
                            "/v1/events",
                            event("pre-0", users.get(0), "purchase", "80.00", NOW.minus(Duration.ofDays(1)))
                                    .in(program))
                    .expect(201);
            singlePath
                    .post(
                            "/v1/events",
                            event("pre-1", users.get(1), "purchase", "30.00", NOW.minus(Duration.ofDays(1)))
                                    .in(program))
                    .expect(201);
        }
        // All of one time (the test clock moves on every read, so the programs' "now" would differ):
        // re-derivation takes a user's events by id, which must be the order they were derived in.
        List<Item> items = new ArrayList<>();
        for (int u = 0; u < users.size(); u++) {
            for (int e = 0; e < 4; e++) {
                items.add(event(
                        "g-" + u + "-" + e,
                        users.get(u),
                        e % 2 == 0 ? "purchase" : "renewal",
                        (10 + random.nextInt(200)) + "." + (10 + random.nextInt(90)),
                        NOW));
            }
        }
        items.add(items.get(5));
        items.add(event("g-2-0", users.get(2), "purchase", "1.00", NOW));
        items.add(refund("gr-0", users.get(0), "pre-0", "20.00"));
        items.add(refund("gr-1", users.get(1), "pre-1", "100000.00"));
        items.add(refund("gr-2", users.get(2), "nope", null));
        items.add(event("g-bad", users.get(3), "purchase", "1.234", NOW));
        items.add(event("g-future", users.get(3), "purchase", "5.00", NOW.plus(Duration.ofHours(1))));
        java.util.Collections.shuffle(items, random);

        double groupsBefore = metric(grouping, "clickledger_event_group_batch_size_count");
        double eventsBefore = metric(grouping, "clickledger_event_group_batch_size_sum");
        List<TestApi.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestApi.Response>> sent = new ArrayList<>();
            for (Item item : items) {
                sent.add(pool.submit(() -> grouping.post("/v1/events", item.in(grouped))));
            }
            for (Future<TestApi.Response> each : sent) {
                answers.add(each.get());
            }
        }
        // The writer took several at a time.
        double groups = metric(grouping, "clickledger_event_group_batch_size_count") - groupsBefore;
        double events = metric(grouping, "clickledger_event_group_batch_size_sum") - eventsBefore;
        assertThat(events).isEqualTo(items.size() - 2);
        assertThat(groups).isLessThan(events);

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (answers.get(i).status() == 201) {
                order.add(i);
            }
        }
        order.sort(java.util.Comparator.comparing(
                i -> answers.get(i).json().get("id").asText()));
        for (int i = 0; i < items.size(); i++) {
            if (answers.get(i).status() != 201) {
                order.add(i);
            }
        }
        JsonNode[] oneByOne = new JsonNode[items.size()];
        for (int i : order) {
            TestApi.Response response =
                    singlePath.post("/v1/events", items.get(i).in(twin));
            oneByOne[i] = answer(response.status(), response.json());
        }
        List<JsonNode> groupedAnswers = new ArrayList<>();
        for (TestApi.Response response : answers) {
            groupedAnswers.add(answer(response.status(), response.json()));
        }
        assertThat(groupedAnswers).isEqualTo(List.of(oneByOne));
        assertThat(groupedAnswers.stream().map(answer -> answer.get("http").asInt()))
                .contains(201, 200, 400, 409);
        // A problem answered in a group is the single endpoint's, fields named as in its body.
        for (TestApi.Response response : answers) {
            if (response.status() == 400) {
                assertThat(response.errorFields()).isNotEmpty().allMatch(field -> !field.startsWith("events"));
            }
        }

        assertThat(ledgerOf(grouped)).isEqualTo(ledgerOf(twin)).hasSizeGreaterThan(40);
        assertThat(webhooksOf(grouped)).isEqualTo(webhooksOf(twin));
        assertThat(api.dsl()
                        .fetchOne(
                                "select count(*)::int from commission where program_id = ? and rule_index = 1",
                                Ulid.parse(grouped).orElseThrow())
                        .get(0, Integer.class))
                .as("first-conversion bounties")
                .isPositive();
        ledger.assertNothingToRederive(grouped);
        ledger.assertNothingToRederive(twin);
    }

    private static double metric(TestApi from, String name) {
        String metrics = from.get("/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /**
     * An item PostgreSQL refuses (here: a trigger of the test's; in life, data it cannot store)
     * fails its own answer, not its group's: the group's transaction is undone and its items go one
     * by one through the single path, which answers each as it would alone.
     */
    @Test
    void anItemPostgresqlRefusesFailsAloneNotItsGroup() throws Exception {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner partner = ledger.partner(program);
        ledger.identify(ledger.click(program, partner, NOW.minus(Duration.ofDays(1))), "pa")
                .expect(201);
        ledger.event(program, "p-taken", "pb", "5.00", NOW.minusSeconds(60)).expect(201);
        String poison = TestApi.unique("poison-");
        api.dsl()
                .execute(
                        """
                        create function test_poison_event() returns trigger language plpgsql as $$
                        begin
                          if new.event_key like 'poison-%' then
                            raise exception 'refused by the test' using errcode = '22023';
                          end if;
                          return new;
                        end $$""");
        api.dsl()
                .execute(
                        "create trigger test_poison before insert on event for each row execute function test_poison_event()");
        try {
            UUID programId = Ulid.parse(program).orElseThrow();
            EventService single = new EventService(api.dsl(), api.clock(), EventService.EventListener.NONE);
            EventBatch batch = new EventBatch(api.dsl(), api.clock(), EventService.EventListener.NONE, single);
            List<EventService.Incoming> group = new ArrayList<>();
            for (String body : List.of(
                    "{\"eventId\":\"p-1\",\"userId\":\"pa\",\"type\":\"purchase\",\"value\":\"10.00\"}",
                    "{\"eventId\":\"%s\",\"userId\":\"pb\",\"type\":\"purchase\",\"value\":\"10.00\"}"
                            .formatted(poison),
                    "{\"eventId\":\"p-taken\",\"userId\":\"pb\",\"type\":\"purchase\",\"value\":\"6.00\"}",
                    "{\"eventId\":\"p-2\",\"userId\":\"pa\",\"type\":\"purchase\",\"value\":\"20.00\"}",
                    "{\"eventId\":\"p-r\",\"userId\":\"pa\",\"type\":\"refund\",\"refundOf\":\"nope\"}")) {
                group.add(batch.check(programId, EventRequest.from(clickledger.web.Json.MAPPER.readTree(body))));
            }
            List<EventBatch.Answer> answers = batch.record(group);
            assertThat(answers).hasSize(5);
            assertThat(answers.get(0).outcome().created()).isTrue();
            assertThat(answers.get(0).outcome().view().commissions()).hasSize(1);
            assertThat(answers.get(1).failure())
                    .isInstanceOf(org.jooq.exception.DataAccessException.class)
                    .hasMessageContaining("refused by the test");
            assertThat(answers.get(2).failure())
                    .isInstanceOfSatisfying(clickledger.web.ApiException.class, e -> assertThat(e.code())
                            .isEqualTo("event_id_reused"));
            assertThat(answers.get(3).outcome().created()).isTrue();
            assertThat(answers.get(4).failure())
                    .isInstanceOfSatisfying(clickledger.web.ApiException.class, e -> assertThat(e.fieldErrors())
                            .extracting(clickledger.web.ApiException.FieldError::field)
                            .containsExactly("refundOf"));

            // The batch endpoint the same way: the refused item's answer is a 500, the others are stored.
            JsonNode results = api.post(
                            "/v1/events/batch",
                            batch(
                                    program,
                                    List.of(
                                            event("p-3", "pa", "purchase", "3.00", NOW.minusSeconds(30)),
                                            event(poison, "pb", "purchase", "3.00", NOW.minusSeconds(30)),
                                            event("p-4", "pb", "purchase", "4.00", NOW.minusSeconds(30)))))
                    .expect(200)
                    .json()
                    .get("results");
            assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
            assertThat(results.get(1).get("status").asInt()).isEqualTo(500);
            assertThat(results.get(1).at("/problem/code").asText()).isEqualTo("internal_error");
            assertThat(results.get(2).get("status").asInt()).isEqualTo(201);
            // And one event alone through the group commit: the single endpoint's 500.
            api.post(
                            "/v1/events",
                            event(poison, "pb", "purchase", "3.00", NOW.minusSeconds(30))
                                    .in(program))
                    .expect(500);
        } finally {
            api.dsl().execute("drop trigger test_poison on event");
            api.dsl().execute("drop function test_poison_event()");
        }
        assertThat(events(program)).isEqualTo(5);
    }

    @Test
    void oversizedAndMalformedBatchesAreRefusedWhole() {
        String program = api.createProgram();
        StringBuilder many = new StringBuilder("{\"events\":[");
        for (int i = 0; i <= EventBatch.MAX_EVENTS; i++) {
            many.append(i == 0 ? "" : ",")
                    .append("{\"programId\":\"%s\",\"eventId\":\"m-%d\",\"userId\":\"u\",\"type\":\"signup\"}"
                            .formatted(program, i));
        }
        TestApi.Response tooMany =
                api.post("/v1/events/batch", many.append("]}").toString());
        tooMany.expect(413);
        assertThat(tooMany.errorFields()).containsExactly("events");
        assertThat(tooMany.json().get("code").asText()).isEqualTo("too_many_events");

        String padding = "x".repeat(8000);
        StringBuilder large = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 200; i++) {
            large.append(i == 0 ? "" : ",")
                    .append(
                            "{\"programId\":\"%s\",\"eventId\":\"l-%d\",\"userId\":\"u\",\"type\":\"signup\",\"metadata\":{\"p\":\"%s\"}}"
                                    .formatted(program, i, padding));
        }
        TestApi.Response tooLarge =
                api.post("/v1/events/batch", large.append("]}").toString());
        tooLarge.expect(413);
        assertThat(tooLarge.json().get("code").asText()).isEqualTo("body_too_large");

        api.post("/v1/events/batch", "{\"events\":[]}").expect(400);
        assertThat(api.post("/v1/events/batch", "{}").expect(400).errorFields()).containsExactly("events");
        assertThat(api.post("/v1/events/batch", "{\"events\":{}}").expect(400).errorFields())
                .containsExactly("events");
        assertThat(api.post("/v1/events/batch", "{\"events\":[],\"more\":1}")
                        .expect(400)
                        .errorFields())
                .containsExactly("more");
        api.post("/v1/events/batch", "{\"events\":[").expect(400);
        assertThat(events(program)).isZero();
    }

    @Test
    void aBatchWritesOnlyIntoItsKeysProgram() {
        String mine = api.createProgram();
        String other = api.createProgram();
        String secret = key("secret", mine);
        String body =
                """
                {"events":[
                 {"eventId":"k-1","userId":"u","type":"signup"},
                 {"programId":"%s","eventId":"k-2","userId":"u","type":"signup"},
                 {"programId":"%s","eventId":"k-3","userId":"u","type":"signup"}
                ]}"""
                        .formatted(other, mine);
        JsonNode results = api.send("POST", "/v1/events/batch", body, secret)
                .expect(200)
                .json()
                .get("results");
        assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(1).get("status").asInt()).isEqualTo(404);
        assertThat(results.get(2).get("status").asInt()).isEqualTo(201);
        assertThat(events(mine)).isEqualTo(2);
        assertThat(events(other)).isZero();

        // Without a programId an admin key names no program: the item says so.
        JsonNode admin = api.post(
                        "/v1/events/batch", "{\"events\":[{\"eventId\":\"a\",\"userId\":\"u\",\"type\":\"signup\"}]}")
                .expect(200)
                .json();
        assertThat(admin.at("/results/0/problem/errors/0/field").asText()).isEqualTo("events[0].programId");
        api.send("POST", "/v1/events/batch", body, key("publishable", mine)).expect(403);
        api.send("POST", "/v1/events/batch", body, null).expect(401);
        assertThat(events(mine)).isEqualTo(2);
    }

    @Test
    void concurrentBatchesAndSinglesOfTheSameUsersSerialiseWithoutDeadlock() throws Exception {
        String program = ledger.program("USD", "last_click", RULES);
        Ledger.Partner partner = ledger.partner(program);
        List<String> users = new ArrayList<>();
        for (int u = 0; u < 30; u++) {
            String user = TestApi.unique("cu-");
            users.add(user);
            ledger.identify(ledger.click(program, partner, NOW.minus(Duration.ofDays(2))), user)
                    .expect(201);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<List<Integer>>> answers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                answers.add(pool.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int round = 0; round < 3; round++) {
                        // Half the threads take the users in reverse order: sorted locks cannot deadlock.
                        List<String> order = new ArrayList<>(users);
                        if (thread % 2 == 1) {
                            java.util.Collections.reverse(order);
                        }
                        if (thread == 5) {
                            for (String user : order.subList(0, 10)) {
                                statuses.add(ledger.event(
                                                program,
                                                "c-" + thread + "-" + round + "-" + user,
                                                user,
                                                "10.00",
                                                NOW.minusSeconds(60))
                                        .status());
                            }
                            continue;
                        }
                        List<Item> items = new ArrayList<>();
                        for (String user : order) {
                            items.add(event(
                                    "c-" + thread + "-" + round + "-" + user,
                                    user,
                                    "purchase",
                                    "10.00",
                                    NOW.minusSeconds(60)));
                        }
                        api.post("/v1/events/batch", batch(program, items))
                                .expect(200)
                                .json()
                                .get("results")
                                .forEach(result ->
                                        statuses.add(result.get("status").asInt()));
                    }
                    return statuses;
                }));
            }
            for (Future<List<Integer>> answer : answers) {
                assertThat(answer.get()).containsOnly(201);
            }
        }
        // One first-conversion bounty per user, whichever request came first. (Not compared with a
        // re-derivation: these events share one time, and re-derivation takes the first by id, which
        // is the request's arrival, not its turn at the user's lock.)
        assertThat(api.dsl()
                        .fetchOne(
                                "select count(*)::int from commission where program_id = ? and rule_index = 1",
                                Ulid.parse(program).orElseThrow())
                        .get(0, Integer.class))
                .isEqualTo(users.size());
    }

    @Test
    void batchesRacingForTheSameEventIdsStoreEachOnce() throws Exception {
        String program = api.createProgram();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                answers.add(pool.submit(() -> {
                    List<Item> items = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        // Another user per thread: their locks do not serialise the batches.
                        items.add(new Item("{\"eventId\":\"race-%d\",\"userId\":\"t%d-u%d\",\"type\":\"signup\"}"
                                .formatted(i, thread, i)));
                    }
                    return api.post("/v1/events/batch", batch(program, items))
                            .expect(200)
                            .json()
                            .get("results");
                }));
            }
            int[] created = new int[40];
            for (Future<JsonNode> answer : answers) {
                JsonNode results = answer.get();
                for (int i = 0; i < 40; i++) {
                    int status = results.get(i).get("status").asInt();
                    assertThat(status).isIn(201, 409);
                    if (status == 201) {
                        created[i]++;
                    }
                }
            }
            assertThat(created).containsOnly(1);
        }
        assertThat(events(program)).isEqualTo(40);
    }
}
