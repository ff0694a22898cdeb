package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.api.Breakdown;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DimensionTableTest {
    @Test
    void aCountryIsItsFlagAndItsNameInTheViewersLanguage() {
        assertThat(DimensionTable.country("DE", Locale.ENGLISH)).isEqualTo("\uD83C\uDDE9\uD83C\uDDEA Germany (DE)");
        assertThat(DimensionTable.country("DE", Locale.GERMAN)).isEqualTo("\uD83C\uDDE9\uD83C\uDDEA Deutschland (DE)");
        // A code Java has no name for keeps its flag and code; anything else stays as it came.
        assertThat(DimensionTable.country("XK", Locale.ENGLISH)).startsWith("\uD83C\uDDFD\uD83C\uDDF0 ");
        assertThat(DimensionTable.country("de", Locale.ENGLISH)).isEqualTo("de");
        assertThat(DimensionTable.country("<b>", Locale.ENGLISH)).isEqualTo("<b>");
    }

    @Test
    void unknownAndOtherComeLastAndOnlyWithClicks() {
        DimensionTable.Dimension referrer = DimensionTable.DASHBOARD.stream()
                .filter(dimension -> dimension.groupBy().equals("referrer"))
                .findFirst()
                .orElseThrow();
        DimensionTable table = DimensionTable.of(
                referrer,
                "x-",
                List.of(new Breakdown.Row("news.ycombinator.com", 6, 5, "0.6000")),
                new Breakdown.Share(4, 4, "0.4000"),
                new Breakdown.Share(0, 0, "0.0000"),
                Locale.ENGLISH);
        assertThat(table.id()).isEqualTo("x-referrer");
        assertThat(table.title()).isEqualTo("Top referrers");
        assertThat(table.lines())
                .containsExactly(
                        new DimensionTable.Line("news.ycombinator.com", 6, "0.6000", false),
                        new DimensionTable.Line("Direct or none", 4, "0.4000", true));
    }
}
