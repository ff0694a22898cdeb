package clickledger.api.transfer;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The CLI's progress line: the table, rows done of the expected count, rows per second and the
 * time left for this table. On a terminal it rewrites one line each second; into a log or a pipe
 * it writes a line every ten seconds, so a long run is visible without flooding the file.
 */
final class ProgressLine implements Progress {
    private final PrintStream out;
    private final Clock clock;
    private final boolean terminal;
    private final Duration every;
    private String table = "";
    private long expected;
    private long done;
    private long total;
    private Instant started;
    private Instant tableStarted;
    private Instant shown;

    ProgressLine(PrintStream out, Clock clock, boolean terminal) {
        this.out = out;
        this.clock = clock;
        this.terminal = terminal;
        this.every = terminal ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
        this.started = clock.instant();
        this.shown = started;
    }

    @Override
    public void table(String name, long estimatedRows) {
        finishTable();
        table = name;
        expected = estimatedRows;
        done = 0;
        tableStarted = clock.instant();
    }

    @Override
    public void rows(long rows) {
        done += rows;
        total += rows;
        Instant now = clock.instant();
        if (Duration.between(shown, now).compareTo(every) >= 0) {
            shown = now;
            print(now, false);
        }
    }

    @Override
    public void done() {
        finishTable();
        double seconds =
                Math.max(0.001, Duration.between(started, clock.instant()).toMillis() / 1000.0);
        out.printf("%,d rows in %.1f s (%,.0f rows/s)%n", total, seconds, total / seconds);
    }

    private void finishTable() {
        if (!table.isEmpty()) {
            print(clock.instant(), true);
        }
    }

    private void print(Instant now, boolean finished) {
        double seconds = Math.max(0.001, Duration.between(tableStarted, now).toMillis() / 1000.0);
        double rate = done / seconds;
        String line;
        if (finished) {
            line = String.format("%-17s %,13d rows  %,10.0f rows/s  done in %s", table, done, rate, clock(seconds));
        } else {
            long left = Math.max(0, expected - done);
            String eta = rate > 0 && expected > 0 ? clock(left / rate) : "?";
            line = String.format("%-17s %,13d of ~%,d rows  %,10.0f rows/s  ETA %s", table, done, expected, rate, eta);
        }
        if (terminal) {
            out.print("\r" + line + (finished ? "\n" : "   "));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String clock(double seconds) {
        long whole = Math.round(seconds);
        return whole >= 3600
                ? String.format("%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
                : String.format("%d:%02d", whole / 60, whole % 60);
    }
}
