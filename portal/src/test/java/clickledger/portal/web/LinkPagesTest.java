package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.api.ApiProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page for a link of a mail that cannot be used says why, from the api's words (CONTRACT-15). */
class LinkPagesTest {
    @Test
    void theApisDetailTellsExpiredUsedAndUnknownApart() {
        assertThat(reason("this link expired at 2030-01-22T10:00:00Z; ask for a new one"))
                .isEqualTo(LinkPages.Reason.EXPIRED);
        assertThat(reason("this link was already used")).isEqualTo(LinkPages.Reason.USED);
        assertThat(reason("this invitation was withdrawn")).isEqualTo(LinkPages.Reason.USED);
        assertThat(reason("this link is unknown: check that it was copied whole"))
                .isEqualTo(LinkPages.Reason.UNKNOWN);
        assertThat(reason("something else")).isEqualTo(LinkPages.Reason.OTHER);
        assertThat(reason(null)).isEqualTo(LinkPages.Reason.OTHER);
    }

    @Test
    void expiredAndUsedLinksAreGoneUnknownOnesNotFound() {
        assertThat(LinkPages.Reason.EXPIRED.status).isEqualTo(410);
        assertThat(LinkPages.Reason.USED.status).isEqualTo(410);
        assertThat(LinkPages.Reason.UNKNOWN.status).isEqualTo(404);
    }

    private static LinkPages.Reason reason(String detail) {
        return LinkPages.Reason.of(new ApiProblem(404, "reset_invalid", detail, List.of(), null));
    }
}
