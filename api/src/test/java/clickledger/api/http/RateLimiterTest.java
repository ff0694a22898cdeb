package clickledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.net.Cidr;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    private static InetAddress ip(String literal) {
        return Cidr.IpLiteral.parse(literal).orElseThrow();
    }

    private static Clock at(Duration sinceStart) {
        return Clock.fixed(START.plus(sinceStart), ZoneOffset.UTC);
    }

    /** A limiter whose clock the test moves by swapping in a new fixed clock. */
    private static final class MovingClock extends Clock {
        Clock current = at(Duration.ZERO);

        @Override
        public Instant instant() {
            return current.instant();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aClientSpendsItsBurstThenWaitsForTokensToRefill() {
        MovingClock clock = new MovingClock();
        RateLimiter limiter = new RateLimiter(clock, 6);
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.acquire(ip("192.0.2.1")).allowed()).isTrue();
        }

        RateLimiter.Decision refused = limiter.acquire(ip("192.0.2.1"));
        assertThat(refused.allowed()).isFalse();
        // Six a minute: one token every ten seconds.
        assertThat(refused.retryAfterSeconds()).isEqualTo(10);

        clock.current = at(Duration.ofSeconds(10));
        assertThat(limiter.acquire(ip("192.0.2.1")).allowed()).isTrue();
        assertThat(limiter.acquire(ip("192.0.2.1")).allowed()).isFalse();
    }

    @Test
    void clientsHaveSeparateBucketsButAnIpv6Slash64IsOneClient() {
        RateLimiter limiter = new RateLimiter(at(Duration.ZERO), 1);

        assertThat(limiter.acquire(ip("192.0.2.1")).allowed()).isTrue();
        assertThat(limiter.acquire(ip("192.0.2.2")).allowed()).isTrue();
        assertThat(limiter.acquire(ip("2001:db8:1:2::1")).allowed()).isTrue();
        assertThat(limiter.acquire(ip("2001:db8:1:2:ffff::9")).allowed()).isFalse();
        assertThat(limiter.acquire(ip("2001:db8:1:3::1")).allowed()).isTrue();
    }

    @Test
    void bucketsAreBoundedByForgettingTheLeastRecentlySeenClient() {
        RateLimiter limiter = new RateLimiter(at(Duration.ZERO), 1, 2);
        limiter.acquire(ip("192.0.2.1"));
        limiter.acquire(ip("192.0.2.2"));
        limiter.acquire(ip("192.0.2.3"));

        assertThat(limiter.trackedClients()).isEqualTo(2);
        // .1 was forgotten, so it starts over; .3 is still remembered and still empty.
        assertThat(limiter.acquire(ip("192.0.2.1")).allowed()).isTrue();
        assertThat(limiter.acquire(ip("192.0.2.3")).allowed()).isFalse();
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        ClientAddress clients =
                new ClientAddress(List.of(Cidr.parse("10.0.0.0/8").orElseThrow()));

        assertThat(clients.resolve("10.0.0.5", List.of("198.51.100.1, 10.0.0.9")))
                .contains(ip("198.51.100.1"));
        assertThat(clients.resolve("203.0.113.5", List.of("198.51.100.1"))).contains(ip("203.0.113.5"));
        // The client wrote the leftmost entry itself; the proxy's own addition is what counts.
        assertThat(clients.resolve("10.0.0.5", List.of("1.2.3.4, 198.51.100.1")))
                .contains(ip("198.51.100.1"));
        assertThat(clients.resolve("10.0.0.5", List.of())).contains(ip("10.0.0.5"));
        // Two header lines are one list: the client's own line first, the proxy's last.
        assertThat(clients.resolve("10.0.0.5", List.of("6.6.6.6", "198.51.100.1")))
                .contains(ip("198.51.100.1"));
        assertThat(clients.resolve("10.0.0.5", List.of("6.6.6.6", "198.51.100.1, 10.0.0.7")))
                .contains(ip("198.51.100.1"));
    }
}
