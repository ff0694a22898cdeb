package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's live click counter over real event streams: however many are open on one
 * program, the portal asks the api once per interval (1 s in the test stack), and a stream whose
 * session ends is closed by the portal. The api's side (one query per interval) is the api's test.
 */
class PortalLiveCounterTest {
    static final int STREAMS = 20;

    private static PortalStack stack;
    private static String programId;

    @BeforeAll
    static void start() throws Exception {
        stack = InstalledStack.get();
        programId = InstalledStack.programId();
    }

    @Test
    void manyOpenCountersShareOnePollOfTheApi() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(InstalledStack.EMAIL, InstalledStack.PASSWORD, "/");
        long callsBefore = upstreamCalls();
        List<AtomicInteger> received = new ArrayList<>();
        List<CompletableFuture<HttpResponse<Stream<String>>>> streams = new ArrayList<>();
        long opened = System.nanoTime();
        for (int i = 0; i < STREAMS; i++) {
            AtomicInteger events = new AtomicInteger();
            received.add(events);
            streams.add(open(admin, events));
        }
        Thread.sleep(4_500);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - opened) + 1;
        long calls = upstreamCalls() - callsBefore;
        streams.forEach(stream -> stream.thenAccept(response -> response.body().close()));
        streams.forEach(stream -> stream.cancel(true));

        // Each stream had the value on opening and one a second after that.
        assertThat(received).allSatisfy(events -> assertThat(events.get()).isGreaterThanOrEqualTo(3));
        // One poll a second for all of them, plus the first value (fetched once, then shared).
        assertThat(calls).isBetween(1L, seconds + 2);
        assertThat(calls).isLessThan(STREAMS);
    }

    @Test
    void aStreamEndsWhenItsSessionDoes() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(InstalledStack.EMAIL, InstalledStack.PASSWORD, "/");
        String session = admin.cookies.get("cl_session");
        AtomicInteger events = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<HttpResponse<Stream<String>>> stream = open(admin, null);
        HttpResponse<Stream<String>> response = stream.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        CompletableFuture<Long> ended = CompletableFuture.supplyAsync(() -> response.body()
                .filter(line -> line.startsWith("event:"))
                .peek(line -> {
                    events.incrementAndGet();
                    first.countDown();
                })
                .count());
        // The stream is live (its first event arrived) before the session ends: signing out before
        // that raced the portal's first poll, which then ended the stream with no event at all.
        assertThat(first.await(15, TimeUnit.SECONDS)).isTrue();

        // Signed out elsewhere (at the api directly): the portal's next poll finds out.
        HttpResponse<String> signedOut =
                HttpBrowser.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/sessions/current"))
                        .header("Authorization", "Bearer " + session)
                        .DELETE());
        assertThat(signedOut.statusCode()).isEqualTo(204);
        // Within a few intervals, whoever else is subscribed; the stream does not linger.
        assertThat(ended.get(15, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1);
    }

    private static CompletableFuture<HttpResponse<Stream<String>>> open(HttpBrowser browser, AtomicInteger events) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.portalUrl() + "/programs/" + programId + "/live"))
                .header("Accept", "text/event-stream")
                .header("Cookie", HttpBrowser.cookieHeader(browser.cookies))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build();
        CompletableFuture<HttpResponse<Stream<String>>> response =
                HttpBrowser.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        if (events != null) {
            response.thenAcceptAsync(answer -> {
                if (answer.statusCode() == 200) {
                    answer.body()
                            .filter(line -> line.startsWith("event: clicks"))
                            .forEach(line -> events.incrementAndGet());
                }
            });
        }
        return response;
    }

    private static long upstreamCalls() throws Exception {
        HttpResponse<String> metrics = HttpBrowser.get(stack.portalUrl(), "/metrics", Map.of());
        return metrics.body()
                .lines()
                .filter(line -> line.startsWith("portal_live_upstream_calls_total"))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
