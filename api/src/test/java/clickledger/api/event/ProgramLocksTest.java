package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ProgramLockHolder;
import clickledger.api.TestApi;
import clickledger.api.attribution.ProgramLocks;
import com.fasterxml.jackson.databind.JsonNode;
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
 * Requests that record one at a time (group commit off, {@code POST /v1/events/batch}, identify
 * alone) meet a re-derivation of their program (decision 0036): it holds the program's lock for
 * its whole run, and a request that waited for it on a pooled connection held that connection as
 * long. More such requests than the pool has connections stopped the whole api. Now only {@link
 * ProgramLocks#AT_ONCE} of them wait on a connection, the others off any, and past {@link
 * ProgramLocks#BUDGET} a request is answered 503 {@code program_busy}, nothing of it written.
 */
class ProgramLocksTest {
    private static final Pattern BUSY_TOTAL =
            Pattern.compile("(?m)^clickledger_program_busy_total\\{[^}]*outcome=\"(\\w+)\"[^}]*} (\\S+)$");
    private static LockedProgramFixture fixture;
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        fixture = LockedProgramFixture.start(Map.of("EVENT_GROUP_COMMIT", "false", "IDENTIFY_GROUP_COMMIT", "false"));
        api = fixture.api;
        ledger = fixture.ledger;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void requestsOfAReDerivedProgramWaitInTurnsAndLeaveThePoolToEveryoneElse() throws Exception {
        String locked = fixture.program();
        String free = fixture.program();
        Instant at = fixture.at();
        String cref = ledger.click(locked, ledger.partner(locked), at.minusSeconds(60));
        try (ProgramLockHolder lock = ProgramLockHolder.hold(api, locked)) {
            // More of the locked program's requests than the pool (4) has connections.
            List<CompletableFuture<TestApi.Response>> waiting = fixture.events(locked, 6, at);
            CompletableFuture<TestApi.Response> identify = fixture.async(() -> ledger.identify(cref, "user-0"));
            Thread.sleep(300);

            fixture.assertOthersAnswered(free, at);
            assertThat(waiting).as("the locked program's events wait").noneMatch(Future::isDone);
            assertThat(identify.isDone()).as("its identify waits").isFalse();

            lock.release();
            LockedProgramFixture.assertRecorded(waiting);
            TestApi.Response stitched = identify.get(10, TimeUnit.SECONDS);
            assertThat(stitched.status()).as(stitched.body()).isIn(200, 201);
        }
        assertThat(busy("waited")).isGreaterThanOrEqualTo(7);
    }

    @Test
    @SuppressWarnings("try") // the holder is held, not used
    void pastItsBudgetARequestIsRefusedAndNothingOfItIsWritten() throws Exception {
        String locked = fixture.program();
        String free = fixture.program();
        Instant at = fixture.at();
        double refusedBefore = busy("refused");
        String batch =
                """
                {"events":[
                 {"programId":"%1$s","eventId":"b-locked-1","userId":"u-1","type":"purchase","value":"10.00"},
                 {"programId":"%2$s","eventId":"b-free-1","userId":"u-1","type":"purchase","value":"10.00"},
                 {"programId":"%1$s","eventId":"b-locked-2","userId":"u-2","type":"purchase","value":"10.00"}
                ]}"""
                        .formatted(locked, free);
        TestApi.Response single;
        JsonNode results;
        try (ProgramLockHolder ignored = ProgramLockHolder.hold(api, locked)) {
            CompletableFuture<TestApi.Response> event =
                    fixture.async(() -> ledger.event(locked, "late", "ada", "20.00", at));
            CompletableFuture<TestApi.Response> batched = fixture.async(() -> api.post("/v1/events/batch", batch));
            long budget = ProgramLocks.BUDGET.toSeconds();
            single = event.get(budget + 5, TimeUnit.SECONDS);
            results =
                    batched.get(budget + 5, TimeUnit.SECONDS).expect(200).json().get("results");
        }
        assertThat(single.status()).as(single.body()).isEqualTo(503);
        assertThat(single.json().get("code").asText()).isEqualTo(ProgramLocks.BUSY);
        assertThat(single.header("Retry-After")).isNotBlank();
        // The batch: the free program's item recorded, the locked program's refused, each alone.
        assertThat(results.get(0).get("status").asInt()).isEqualTo(503);
        assertThat(results.get(0).at("/problem/code").asText()).isEqualTo(ProgramLocks.BUSY);
        assertThat(results.get(1).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(2).get("status").asInt()).isEqualTo(503);
        assertThat(busy("refused")).isGreaterThanOrEqualTo(refusedBefore + 2);

        // Nothing of the refused was written: the same requests now create them.
        assertThat(ledger.event(locked, "late", "ada", "20.00", at).status()).isEqualTo(201);
        JsonNode again = api.post("/v1/events/batch", batch).expect(200).json().get("results");
        assertThat(again.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(again.get(1).get("status").asInt())
                .as("recorded the first time")
                .isEqualTo(200);
        assertThat(again.get(2).get("status").asInt()).isEqualTo(201);
    }

    /** clickledger_program_busy_total{outcome=…}. */
    private static double busy(String outcome) {
        Matcher sample = BUSY_TOTAL.matcher(api.get("/metrics").body());
        while (sample.find()) {
            if (sample.group(1).equals(outcome)) {
                return Double.parseDouble(sample.group(2));
            }
        }
        throw new AssertionError("clickledger_program_busy_total{outcome=\"" + outcome + "\"} not in /metrics");
    }
}
