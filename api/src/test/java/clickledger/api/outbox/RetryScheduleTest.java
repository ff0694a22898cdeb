package clickledger.api.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private static final Instant NOW = Instant.parse("2030-01-15T10:00:00Z");

    private static RetrySchedule defaults(double jitter) {
        return new RetrySchedule(Duration.ofSeconds(30), Duration.ofHours(6), 20, () -> jitter);
    }

    @Test
    void ceilingsDoubleFromTwiceTheBaseUntilTheCap() {
        RetrySchedule schedule = defaults(1.0);

        assertThat(schedule.ceiling(1)).hasSeconds(60);
        assertThat(schedule.ceiling(2)).hasSeconds(120);
        assertThat(schedule.ceiling(9)).hasSeconds(15_360);
        assertThat(schedule.ceiling(10)).hasHours(6);
        assertThat(schedule.ceiling(19)).hasHours(6);
        assertThat(schedule.ceiling(1_000)).hasHours(6);
    }

    @Test
    void defaultScheduleGivesAReceiverAboutThreeDays() {
        RetrySchedule schedule = defaults(1.0);
        Duration longest = Duration.ZERO;
        for (int attempt = 1; attempt < 20; attempt++) {
            longest = longest.plus(schedule.delay(attempt, Optional.empty()));
        }

        assertThat(longest).hasSeconds(246_660);
        assertThat(longest.toHours()).isEqualTo(68);
        assertThat(schedule.exhausted(19)).isFalse();
        assertThat(schedule.exhausted(20)).isTrue();
    }

    @Test
    void jitteredDelaysStayBetweenZeroAndTheirCeiling() {
        RetrySchedule schedule =
                new RetrySchedule(Duration.ofSeconds(30), Duration.ofHours(6), 20, () -> ThreadLocalRandom.current()
                        .nextDouble());

        for (int attempt = 1; attempt < 20; attempt++) {
            for (int draw = 0; draw < 200; draw++) {
                assertThat(schedule.delay(attempt, Optional.empty()))
                        .isBetween(Duration.ZERO, schedule.ceiling(attempt));
            }
        }
        assertThat(defaults(0.0).delay(5, Optional.empty())).isZero();
    }

    @Test
    void retryAfterReplacesTheBackoffCappedAndNeverNegative() {
        RetrySchedule schedule = defaults(1.0);

        assertThat(schedule.delay(1, Optional.of(Duration.ofSeconds(7)))).hasSeconds(7);
        assertThat(schedule.delay(1, Optional.of(Duration.ofDays(3)))).hasHours(6);
        assertThat(schedule.delay(1, Optional.of(Duration.ofSeconds(-30)))).isZero();
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        assertThat(RetrySchedule.parseRetryAfter("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetrySchedule.parseRetryAfter(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetrySchedule.parseRetryAfter("Tue, 15 Jan 2030 10:05:00 GMT", NOW))
                .contains(Duration.ofMinutes(5));
        assertThat(RetrySchedule.parseRetryAfter("99999999999999999999999", NOW))
                .isPresent();
        assertThat(RetrySchedule.parseRetryAfter("soon", NOW)).isEmpty();
        assertThat(RetrySchedule.parseRetryAfter("-5", NOW)).isEmpty();
        assertThat(RetrySchedule.parseRetryAfter(null, NOW)).isEmpty();
    }
}
