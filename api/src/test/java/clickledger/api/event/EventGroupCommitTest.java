package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.web.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit's queue and writers, with a writer the test controls (what a group records is
 * {@link EventBatch}'s, tested against PostgreSQL in {@code EventBatchTest}): groups take what is
 * queued without waiting to fill, every request gets its own answer, a full queue, a long wait, a
 * throwing writer and a shutdown each get their answer.
 */
class EventGroupCommitTest {
    private static final Instant NOW = Instant.parse("2030-01-15T10:00:00Z");
    private static final UUID PROGRAM = UUID.randomUUID();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    private EventGroupCommit commit;

    @AfterEach
    void stop() {
        clients.shutdownNow();
        if (commit != null) {
            commit.close();
        }
    }

    private static EventRequest request(String eventId) {
        return new EventRequest(eventId, "u", "purchase", null, null, null, null, null, null);
    }

    /** The writer answers each event with an outcome whose created flag is true; {@code each} may throw. */
    private EventGroupCommit start(
            int queueCapacity, Duration timeout, Function<List<String>, List<EventBatch.Answer>> each) {
        commit = new EventGroupCommit(
                (programId, request) -> {
                    if (request.eventId().startsWith("bad")) {
                        throw ApiException.badRequest("value", "is bad");
                    }
                    return new EventService.Incoming(programId, request, 100L, NOW, "hash", NOW);
                },
                group -> {
                    List<String> ids = group.stream()
                            .map(incoming -> incoming.request().eventId())
                            .toList();
                    groups.add(ids);
                    return each.apply(ids);
                },
                incoming -> new EventService.Outcome(null, false),
                new EventGroupCommit.Settings(true, 1, 250, queueCapacity, timeout),
                registry);
        return commit;
    }

    private static List<EventBatch.Answer> created(List<String> ids) {
        return ids.stream()
                .map(id -> EventBatch.Answer.of(new EventService.Outcome(null, true)))
                .toList();
    }

    private Future<EventService.Outcome> send(String eventId) {
        return clients.submit(() -> commit.record(PROGRAM, request(eventId)));
    }

    private static void awaitDepth(EventGroupCommit commit, int depth) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (commit.queueDepth() != depth) {
            assertThat(System.nanoTime()).as("queue depth %d", depth).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Waits until a writer was given {@code eventId} (and is now writing its group). */
    private void awaitTaken(String eventId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!written().contains(eventId)) {
            assertThat(System.nanoTime()).as("%s taken", eventId).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Every event the writer was given, in order. */
    private List<String> written() {
        synchronized (groups) {
            return groups.stream().flatMap(List::stream).toList();
        }
    }

    private double refused(String reason) {
        return registry.get("clickledger_event_group_refused_total")
                .tag("reason", reason)
                .counter()
                .count();
    }

    @Test
    void aGroupIsWhatWasQueuedMeanwhileNeverWaitingToFill() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(100, Duration.ofSeconds(10), ids -> {
            if (ids.contains("first")) {
                await(release);
            }
            return created(ids);
        });
        // Alone, an event is written at once: nothing waits for company.
        assertThat(send("alone").get(5, TimeUnit.SECONDS).created()).isTrue();
        Future<EventService.Outcome> first = send("first");
        awaitTaken("first");
        List<Future<EventService.Outcome>> behind = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            behind.add(send("behind-" + i));
        }
        awaitDepth(commit, 5);
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).created()).isTrue();
        for (Future<EventService.Outcome> each : behind) {
            assertThat(each.get(5, TimeUnit.SECONDS).created()).isTrue();
        }
        assertThat(groups).hasSize(3);
        assertThat(groups.get(0)).containsExactly("alone");
        assertThat(groups.get(1)).containsExactly("first");
        assertThat(groups.get(2)).hasSize(5).allMatch(id -> id.startsWith("behind-"));
        assertThat(registry.get("clickledger_event_group_batch_size").summary().totalAmount())
                .isEqualTo(7);
        assertThat(registry.get("clickledger_event_group_batch_size").summary().count())
                .isEqualTo(3);
        assertThat(registry.get("clickledger_event_group_batch_seconds").timer().count())
                .isEqualTo(3);
    }

    @Test
    void anEventTheGroupHandsBackIsRecordedAloneByItsRequest() throws Exception {
        // The writer's answers are created (true); the request's own recording answers false.
        start(100, Duration.ofSeconds(10), ids -> ids.stream()
                .map(id -> id.startsWith("locked")
                        ? EventBatch.Answer.ALONE
                        : created(List.of(id)).getFirst())
                .toList());

        assertThat(send("locked").get(5, TimeUnit.SECONDS).created()).isFalse();
        assertThat(send("free").get(5, TimeUnit.SECONDS).created()).isTrue();
    }

    @Test
    void eachRequestGetsItsOwnAnswerAndABadOneFailsNoOther() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(100, Duration.ofSeconds(10), ids -> {
            if (ids.contains("hold")) {
                await(release);
            }
            return ids.stream()
                    .map(id -> id.equals("reused")
                            ? EventBatch.Answer.failed(ApiException.conflict("event_id_reused", "eventId: reused"))
                            : EventBatch.Answer.of(new EventService.Outcome(null, !id.equals("repeat"))))
                    .toList();
        });
        Future<EventService.Outcome> hold = send("hold");
        awaitTaken("hold");
        Future<EventService.Outcome> ok = send("ok");
        Future<EventService.Outcome> reused = send("reused");
        Future<EventService.Outcome> repeat = send("repeat");
        awaitDepth(commit, 3);
        // A request's own problem, found before it queues, is answered at once and never written.
        assertThatThrownBy(() -> commit.record(PROGRAM, request("bad-value")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        release.countDown();
        assertThat(hold.get(5, TimeUnit.SECONDS).created()).isTrue();
        assertThat(ok.get(5, TimeUnit.SECONDS).created()).isTrue();
        assertThat(repeat.get(5, TimeUnit.SECONDS).created()).isFalse();
        assertThatThrownBy(() -> reused.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ApiException.class)
                .cause()
                .hasMessage("eventId: reused");
        assertThat(groups.get(1)).containsExactlyInAnyOrder("ok", "reused", "repeat");
        assertThat(written()).doesNotContain("bad-value");
    }

    @Test
    void aFullQueueIsAnsweredAtOnceWith503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(2, Duration.ofSeconds(10), ids -> {
            await(release);
            return created(ids);
        });
        Future<EventService.Outcome> taken = send("taken");
        awaitTaken("taken");
        Future<EventService.Outcome> a = send("a");
        Future<EventService.Outcome> b = send("b");
        awaitDepth(commit, 2);
        assertThatThrownBy(() -> commit.record(PROGRAM, request("c"))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("busy");
            assertThat(e.retryAfter()).isEqualTo("1");
        });
        assertThat(refused("queue_full")).isEqualTo(1);
        release.countDown();
        for (Future<EventService.Outcome> each : List.of(taken, a, b)) {
            assertThat(each.get(5, TimeUnit.SECONDS).created()).isTrue();
        }
        assertThat(written()).doesNotContain("c");
    }

    @Test
    void aRequestThatWaitsTooLongIsWithdrawnAndNeverWritten() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(100, Duration.ofMillis(300), ids -> {
            if (ids.contains("slow")) {
                await(release);
            }
            return created(ids);
        });
        Future<EventService.Outcome> slow = send("slow");
        awaitTaken("slow");
        assertThatThrownBy(() -> commit.record(PROGRAM, request("waits")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("timeout"));
        // The taken one waits for its transaction once more, then is told its outcome is unknown.
        assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("outcome_unknown"));
        release.countDown();
        assertThat(send("after").get(5, TimeUnit.SECONDS).created()).isTrue();
        assertThat(written()).containsExactly("slow", "after");
        assertThat(refused("timeout")).isEqualTo(2);
    }

    @Test
    void aWriterThatThrowsAnswersItsWholeGroupAndCarriesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(100, Duration.ofSeconds(10), ids -> {
            if (ids.contains("hold")) {
                await(release);
            }
            if (ids.contains("boom")) {
                throw new IllegalStateException("the writer broke");
            }
            if (ids.contains("error")) {
                throw new AssertionError("an Error, not an exception");
            }
            return created(ids);
        });
        Future<EventService.Outcome> hold = send("hold");
        awaitTaken("hold");
        Future<EventService.Outcome> boom = send("boom");
        Future<EventService.Outcome> neighbour = send("neighbour");
        awaitDepth(commit, 2);
        release.countDown();
        assertThat(hold.get(5, TimeUnit.SECONDS).created()).isTrue();
        // Each of the group is answered 500 (the failure is logged, not sent), an Error too.
        for (Future<EventService.Outcome> each : List.of(boom, neighbour)) {
            assertThatThrownBy(() -> each.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(500));
        }
        assertThatThrownBy(() -> send("error").get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(500));
        // The writer lives on.
        assertThat(send("later").get(5, TimeUnit.SECONDS).created()).isTrue();
        assertThat(registry.get("clickledger_event_group_writer_errors_total")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void closeRecordsWhatIsQueuedThenRefuses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(100, Duration.ofSeconds(10), ids -> {
            if (ids.contains("hold")) {
                await(release);
            }
            return created(ids);
        });
        Future<EventService.Outcome> hold = send("hold");
        awaitTaken("hold");
        List<Future<EventService.Outcome>> queued = List.of(send("q-1"), send("q-2"), send("q-3"));
        awaitDepth(commit, 3);
        Future<?> closing = clients.submit(commit::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (commit.accepting()) {
            assertThat(System.nanoTime()).as("closing").isLessThan(deadline);
            Thread.sleep(5);
        }
        // Once closing, new events are refused while the queued ones are still waiting.
        assertThatThrownBy(() -> commit.record(PROGRAM, request("late")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("shutting_down"));
        assertThat(queued).noneMatch(Future::isDone);
        release.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(hold.get(5, TimeUnit.SECONDS).created()).isTrue();
        for (Future<EventService.Outcome> each : queued) {
            assertThat(each.get(5, TimeUnit.SECONDS).created()).isTrue();
        }
        assertThat(written()).containsOnly("hold", "q-1", "q-2", "q-3");
        assertThat(refused("shutting_down")).isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).as("released").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
