package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ProgramLockHolder;
import clickledger.api.TestApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A re-derivation holds its program's lock exclusively for as long as it runs (minutes for a big
 * program). The event group commit's writer must not wait behind it: with one writer (the
 * default), every other program's events queued behind the locked one and were answered 503 when
 * their wait ran out. Now the writer only tries the program's lock and hands the locked program's events back to
 * their requests, which wait alone, in turns (decision 0036).
 */
class EventGroupCommitLockTest {
    private static final Pattern ALONE_TOTAL =
            Pattern.compile("(?m)^clickledger_event_group_alone_total(?:\\{[^}]*})? (\\S+)$");
    private static LockedProgramFixture fixture;

    @BeforeAll
    static void start() {
        fixture = LockedProgramFixture.start(Map.of("EVENT_GROUP_COMMIT", "true", "EVENT_GROUP_COMMIT_WRITERS", "1"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aProgramUnderReDerivationDoesNotHoldUpOtherProgramsEvents() throws Exception {
        String locked = fixture.program();
        String free = fixture.program();
        Instant at = fixture.at();
        // What RederiveService does first: the program's lock, exclusively, until it commits.
        try (ProgramLockHolder lock = ProgramLockHolder.hold(fixture.api, locked)) {
            double handedBack = handedBack();
            // More of the locked program's events than the pool (4) has connections: handed back,
            // at most ProgramLocks.AT_ONCE of them wait for the lock on a connection, the others
            // for a turn, so the pool stays free for everyone else.
            List<CompletableFuture<TestApi.Response>> waiting = fixture.events(locked, 6, at);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (handedBack() < handedBack + 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(handedBack())
                    .as("the locked program's events handed back")
                    .isEqualTo(handedBack + 6);

            fixture.assertOthersAnswered(free, at);
            assertThat(waiting)
                    .as("the locked program's events wait for the lock")
                    .noneMatch(Future::isDone);

            lock.release();
            LockedProgramFixture.assertRecorded(waiting);
        }
        // The same event again is the stored one (200), and the program's next event goes through the group.
        assertThat(fixture.ledger
                        .event(locked, "locked-1", "user-1", "20.00", at)
                        .status())
                .isEqualTo(200);
        double before = handedBack();
        assertThat(fixture.ledger
                        .event(locked, "locked-next", "ada", "25.00", at)
                        .status())
                .isEqualTo(201);
        assertThat(handedBack()).isEqualTo(before);
    }

    /** clickledger_event_group_alone_total: events the group handed back to be recorded one by one. */
    private static double handedBack() {
        Matcher sample = ALONE_TOTAL.matcher(fixture.api.get("/metrics").body());
        assertThat(sample.find())
                .as("clickledger_event_group_alone_total in /metrics")
                .isTrue();
        return Double.parseDouble(sample.group(1));
    }
}
