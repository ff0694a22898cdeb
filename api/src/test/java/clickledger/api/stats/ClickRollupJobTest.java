package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClickRollupJobTest {
    private static List<LocalDate> days(String first, int count) {
        List<LocalDate> days = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            days.add(LocalDate.parse(first).plusDays(i));
        }
        return days;
    }

    @Test
    void catchUpGoesAWeekAtATimeAndNeverAcrossAGap() {
        List<LocalDate> missing = new ArrayList<>(days("2030-01-01", 16));
        missing.addAll(days("2030-02-10", 2));

        List<List<LocalDate>> chunks = ClickRollupJob.chunks(missing);

        assertThat(chunks).extracting(List::size).containsExactly(7, 7, 2, 2);
        assertThat(chunks.get(2)).containsExactly(LocalDate.parse("2030-01-15"), LocalDate.parse("2030-01-16"));
        assertThat(chunks.get(3).getFirst()).isEqualTo(LocalDate.parse("2030-02-10"));
        assertThat(ClickRollupJob.chunks(List.of())).isEmpty();
    }
}
