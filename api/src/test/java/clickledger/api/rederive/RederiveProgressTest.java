package clickledger.api.rederive;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A re-derivation takes minutes for a large program: its log says when it starts, how far it is, and when it ends. */
class RederiveProgressTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(RederiveService.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level level;

    @BeforeEach
    void listen() {
        level = logger.getLevel();
        logger.setLevel(Level.INFO); // whatever LOG_LEVEL an api of another test set
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(logged);
        logger.setLevel(level);
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aRunLogsWhereItIsEveryInterval() {
        var request = new RederiveService.Request(UUID.randomUUID(), null, Instant.EPOCH, Instant.now(), true);
        var progress = new RederiveService.ProgressLog(request, 3, Duration.ZERO);
        progress.event();
        progress.event();
        progress.event();
        assertThat(lines())
                .containsExactly(
                        "re-derivation started",
                        "re-derivation: 1 of 3 events",
                        "re-derivation: 2 of 3 events",
                        "re-derivation: 3 of 3 events");

        logged.list.clear();
        var quiet = new RederiveService.ProgressLog(request, 3, Duration.ofHours(1));
        quiet.event();
        quiet.event();
        assertThat(lines()).as("nothing between lines an interval apart").containsExactly("re-derivation started");
    }

    @Test
    void aRederivationThroughTheApiLogsItsStartAndItsEnd() {
        try (TestApi api = TestApi.start()) {
            Ledger ledger = new Ledger(api);
            String program = ledger.program(
                    "USD", "last_click", "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]");
            Instant at = api.clock().instant().minus(Duration.ofMinutes(5));
            ledger.click(program, ledger.partner(program), at.minusSeconds(60));
            ledger.event(program, "p-1", "ada", "10.00", at).expect(201);
            ledger.event(program, "p-2", "bob", "20.00", at).expect(201);
            logged.list.clear();

            api.post("/v1/attribution/rederive", "{\"programId\":\"" + program + "\"}")
                    .expect(200);

            assertThat(lines()).first().isEqualTo("re-derivation started");
            assertThat(lines()).last().isEqualTo("re-derivation done (a dry run: rolled back)");
            ILoggingEvent done = logged.list.getLast();
            assertThat(done.getKeyValuePairs()).anySatisfy(pair -> {
                assertThat(pair.key).isEqualTo("events");
                assertThat(pair.value).isEqualTo(2);
            });
        }
    }
}
