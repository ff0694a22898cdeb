package clickledger.bench;

import clickledger.common.id.Ulid;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The data of the attribution scenario (issue 17), written by COPY: {@code clicks} clicks in all
 * (10 million by default) spread over exactly three monthly partitions (from the first day of the
 * month before last up to now), in time order as routers write them, 5 % of the background ones
 * bots. Among them:
 *
 * <ul>
 *   <li>the touches of {@code users} users of the "attribution" program, 1 to {@code max-touches}
 *       each over the last 58 days (inside its 60-day lookback), stitched to them by identity rows:
 *       the users {@code POST /v1/events} is measured with;
 *   <li>the clicks of {@code replay-users} users of the "replay" program, 1 to {@code max-touches}
 *       each anywhere in the three months (one in twenty a bot or flagged, which must earn
 *       nothing), and a file of {@code replay-events} purchases of theirs with historical times,
 *       oldest first: what a merchant migrating to clickledger posts through the api;
 *   <li>a file of {@code identify-crefs} crefs of billable clicks nobody is stitched to yet, for
 *       {@code POST /v1/identify}.
 * </ul>
 *
 * Both programs use the linear model (every touch credited, values split) and two rules: 10 % of
 * every purchase, and a fixed 5.00 on the user's first conversion per partner, so each event reads
 * the partner's history. Triggers stay on: identity rows get their touch columns filled the way
 * any insert does.
 */
final class AttributionSeed {
    static final String RULES = "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"},"
            + "{\"trigger\":\"first\",\"kind\":\"fixed\",\"amount\":\"5.00\"}]";
    private static final int COPY_ROWS = 50_000;
    private static final long DAY_MS = 86_400_000L;
    private static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36";

    private AttributionSeed() {}

    private record Click(long ts, UUID id, int link, boolean bot, boolean flagged) {}

    private record Links(UUID program, List<UUID> partners, List<UUID> links) {}

    private record ReplayEvent(long ts, String userId, String value) {}

    static Map<String, Object> run(Args args) throws Exception {
        long clicks = args.longValue("clicks", 10_000_000L);
        int users = args.integer("users", 100_000);
        int maxTouches = args.integer("max-touches", 5);
        int replayUsers = args.integer("replay-users", 200_000);
        int replayEvents = args.integer("replay-events", 1_000_000);
        int identifyCrefs = args.integer("identify-crefs", 200_000);
        int partnerCount = args.integer("partners", 50);
        Path out = Path.of(args.string("out-dir"));
        Files.createDirectories(out);
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(17);
        long now = System.currentTimeMillis();
        long firstMonth = LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC)
                .withDayOfMonth(1)
                .minusMonths(2)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC)
                .toEpochMilli();
        long last = now - 60_000;

        Map<String, Object> result = new LinkedHashMap<>();
        try (Connection connection = Db.connect(args.string("database-url"))) {
            connection.setAutoCommit(false);
            createPartitions(connection, firstMonth);
            Links live = links(connection, "attribution", partnerCount);
            Links replay = links(connection, "replay", partnerCount);
            connection.commit();

            // The clicks that belong to someone, in memory (about a million), merged by time into
            // the background stream below.
            List<Click> owned = new ArrayList<>();
            List<long[]> liveTouches = new ArrayList<>(); // [user, index into owned]
            for (int u = 1; u <= users; u++) {
                int count = 1 + random.nextInt(maxTouches);
                for (int t = 0; t < count; t++) {
                    long ts = last - random.nextLong(58 * DAY_MS);
                    owned.add(new Click(ts, null, random.nextInt(partnerCount), false, false));
                    liveTouches.add(new long[] {u, owned.size() - 1});
                }
            }
            List<long[]> replayTouches = new ArrayList<>();
            List<ReplayEvent> events = new ArrayList<>(replayEvents);
            int eventsPerUser = Math.max(1, replayEvents / Math.max(1, replayUsers));
            for (int u = 1; u <= replayUsers && events.size() < replayEvents; u++) {
                int count = 1 + random.nextInt(maxTouches);
                long firstTouch = Long.MAX_VALUE;
                for (int t = 0; t < count; t++) {
                    long ts = firstMonth + random.nextLong(last - DAY_MS - firstMonth);
                    firstTouch = Math.min(firstTouch, ts);
                    int kind = random.nextInt(40);
                    owned.add(new Click(ts, null, partnerCount + random.nextInt(partnerCount), kind == 0, kind == 1));
                    replayTouches.add(new long[] {u, owned.size() - 1});
                }
                // Purchases mostly after the first touch (some before it, which nothing earns).
                for (int e = 0; e < eventsPerUser && events.size() < replayEvents; e++) {
                    long from = random.nextInt(10) == 0 ? firstMonth : firstTouch;
                    long ts = from + random.nextLong(Math.max(1, now - 3_600_000L - from));
                    events.add(new ReplayEvent(
                            ts,
                            "replay-" + u,
                            (10 + random.nextInt(190)) + "." + (random.nextInt(2) == 0 ? "00" : "49")));
                }
            }
            List<Integer> order = new ArrayList<>(owned.size());
            for (int i = 0; i < owned.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong(i -> owned.get(i).ts()));

            List<UUID> allLinks = new ArrayList<>(live.links());
            allLinks.addAll(replay.links());
            List<UUID> allPartners = new ArrayList<>(live.partners());
            allPartners.addAll(replay.partners());
            UUID[] ownedIds = new UUID[owned.size()];
            long background = clicks - owned.size();
            if (background < identifyCrefs) {
                throw new IllegalArgumentException(
                        "--clicks too small for the users, replay users and crefs asked for");
            }
            long step = Math.max(1, (last - firstMonth) / background);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder rows = new StringBuilder(COPY_ROWS * 200);
            int pending = 0;
            int next = 0;
            long written = 0;
            long crefEvery = Math.max(1, background / identifyCrefs);
            try (BufferedWriter crefs =
                    Files.newBufferedWriter(out.resolve("identify-crefs.txt"), StandardCharsets.UTF_8)) {
                for (long b = 0; b < background || next < order.size(); ) {
                    long backgroundTs = b < background ? firstMonth + b * step + random.nextLong(step) : Long.MAX_VALUE;
                    if (next < order.size() && owned.get(order.get(next)).ts() <= backgroundTs) {
                        int index = order.get(next++);
                        Click click = owned.get(index);
                        UUID id = Ulid.newUuidV7(click.ts());
                        ownedIds[index] = id;
                        boolean replayClick = click.link() >= partnerCount;
                        append(
                                rows,
                                id,
                                click.ts(),
                                allLinks.get(click.link()),
                                replayClick ? replay.program() : live.program(),
                                allPartners.get(click.link()),
                                click.bot(),
                                click.flagged());
                    } else {
                        int link = random.nextInt(partnerCount);
                        boolean bot = random.nextInt(20) == 0;
                        UUID id = Ulid.newUuidV7(backgroundTs);
                        append(
                                rows,
                                id,
                                backgroundTs,
                                live.links().get(link),
                                live.program(),
                                live.partners().get(link),
                                bot,
                                false);
                        if (!bot && b % crefEvery == 0) {
                            crefs.write(Ulid.encode(id));
                            crefs.write('\n');
                        }
                        b++;
                    }
                    written++;
                    if (++pending == COPY_ROWS) {
                        copyClicks(copy, rows);
                        connection.commit();
                        pending = 0;
                    }
                }
            }
            copyClicks(copy, rows);
            connection.commit();
            long clicksDone = System.nanoTime();

            StringBuilder identities = new StringBuilder(COPY_ROWS * 120);
            int identityRows = 0;
            for (List<long[]> touches : List.of(liveTouches, replayTouches)) {
                boolean isReplay = touches == replayTouches;
                for (long[] touch : touches) {
                    Click click = owned.get((int) touch[1]);
                    UUID clickId = ownedIds[(int) touch[1]];
                    String at = Instant.ofEpochMilli(click.ts()).toString();
                    identities
                            .append(Ulid.newUuidV7(click.ts()))
                            .append('\t')
                            .append(isReplay ? replay.program() : live.program())
                            .append('\t')
                            .append(clickId)
                            .append('\t')
                            .append(at)
                            .append('\t')
                            .append(isReplay ? "replay-" : "user-")
                            .append(touch[0])
                            .append('\t')
                            .append(at)
                            .append('\n');
                    if (++identityRows % COPY_ROWS == 0) {
                        copy.copyIn(
                                "copy identity (id, program_id, click_id, click_ts, user_id, ts) from stdin",
                                new StringReader(identities.toString()));
                        identities.setLength(0);
                    }
                }
            }
            copy.copyIn(
                    "copy identity (id, program_id, click_id, click_ts, user_id, ts) from stdin",
                    new StringReader(identities.toString()));
            connection.commit();
            long identitiesDone = System.nanoTime();

            events.sort(Comparator.comparingLong(ReplayEvent::ts));
            try (BufferedWriter file =
                    Files.newBufferedWriter(out.resolve("replay-events.tsv"), StandardCharsets.UTF_8)) {
                int n = 0;
                for (ReplayEvent event : events) {
                    file.write(Instant.ofEpochMilli(event.ts()).toString());
                    file.write('\t');
                    file.write(event.userId());
                    file.write("\treplay-event-");
                    file.write(Integer.toString(++n));
                    file.write('\t');
                    file.write(event.value());
                    file.write('\n');
                }
            }
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("vacuum analyze click");
                statement.execute("vacuum analyze identity");
            }
            result.put("programId", live.program().toString());
            result.put("replayProgramId", replay.program().toString());
            result.put("clicks", written);
            result.put("partitions", partitions(connection));
            result.put("users", users);
            result.put("touches", liveTouches.size());
            result.put("replayUsers", replayUsers);
            result.put("replayTouches", replayTouches.size());
            result.put("replayEvents", events.size());
            result.put(
                    "replayFrom", Instant.ofEpochMilli(events.getFirst().ts()).toString());
            result.put("replayTo", Instant.ofEpochMilli(events.getLast().ts()).toString());
            result.put("identifyCrefs", identifyCrefs);
            result.put("clickSeconds", seconds(clicksDone - started));
            result.put("identitySeconds", seconds(identitiesDone - clicksDone));
            result.put("seconds", seconds(System.nanoTime() - started));
        }
        return result;
    }

    private static void append(
            StringBuilder rows, UUID id, long ts, UUID link, UUID program, UUID partner, boolean bot, boolean flagged) {
        rows.append(id)
                .append('\t')
                .append(Instant.ofEpochMilli(ts))
                .append('\t')
                .append(link)
                .append('\t')
                .append(program)
                .append('\t')
                .append(partner)
                .append('\t')
                .append(USER_AGENT)
                .append('\t')
                .append(bot ? 't' : 'f')
                .append('\t')
                .append(flagged ? "burst" : "\\N")
                .append('\n');
    }

    private static void copyClicks(CopyManager copy, StringBuilder rows) throws SQLException, IOException {
        if (rows.isEmpty()) {
            return;
        }
        copy.copyIn(
                "copy click (id, ts, link_id, program_id, partner_id, user_agent, is_bot, fraud_flag) from stdin",
                new StringReader(rows.toString()));
        rows.setLength(0);
    }

    /** The program with {@code partners} partners, one link each. */
    private static Links links(Connection connection, String slug, int partners) throws SQLException {
        UUID program = Seed.program(connection, slug, RULES, "linear");
        List<UUID> partnerIds = new ArrayList<>();
        List<UUID> linkIds = new ArrayList<>();
        for (int p = 0; p < partners; p++) {
            UUID partner = Seed.partner(connection, slug + "-" + p + "@example.com", program);
            UUID link = Ulid.newUuidV7(System.currentTimeMillis());
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)")) {
                insert.setObject(1, link);
                insert.setString(2, slug + "-" + p);
                insert.setObject(3, program);
                insert.setObject(4, partner);
                insert.executeUpdate();
            }
            partnerIds.add(partner);
            linkIds.add(link);
        }
        return new Links(program, partnerIds, linkIds);
    }

    /**
     * The past months' partitions, as the services would have created them ahead of time back
     * then (they create the current month and the next three); the current month exists already.
     */
    private static void createPartitions(Connection connection, long firstMonth) throws SQLException {
        LocalDate month = LocalDate.ofInstant(Instant.ofEpochMilli(firstMonth), ZoneOffset.UTC);
        try (Statement statement = connection.createStatement()) {
            for (int i = 0; i < 2; i++, month = month.plusMonths(1)) {
                statement.execute(
                        "create table if not exists click_y%04dm%02d partition of click for values from ('%s') to ('%s')"
                                .formatted(month.getYear(), month.getMonthValue(), month, month.plusMonths(1)));
            }
        }
    }

    private static Map<String, Long> partitions(Connection connection) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "select tableoid::regclass::text, count(*) from click group by 1 order by 1")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }
}
