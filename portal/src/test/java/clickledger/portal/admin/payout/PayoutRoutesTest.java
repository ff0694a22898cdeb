package clickledger.portal.admin.payout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayoutRoutesTest {
    @Test
    void aDayOfTheFormBecomesTheApisInstantsInUtc() {
        // "Commissions up to" a day includes the whole day; "paid on" a day is its start.
        assertThat(PayoutRoutes.endOfDay("2030-01-31")).isEqualTo("2030-01-31T23:59:59.999Z");
        assertThat(PayoutRoutes.startOfDay("2030-01-31")).isEqualTo("2030-01-31T00:00:00Z");
        assertThat(PayoutRoutes.endOfDay(" ")).isNull();
        assertThat(PayoutRoutes.startOfDay(null)).isNull();
        // Not a day: passed on for the api to name the field.
        assertThat(PayoutRoutes.endOfDay("yesterday")).isEqualTo("yesterday");
    }

    @Test
    void backLeadsOnlyToAPayoutsPageOfThePortal() {
        assertThat(PayoutRoutes.safeBack("/payouts?status=pending")).isEqualTo("/payouts?status=pending");
        assertThat(PayoutRoutes.safeBack("https://evil.example/payouts")).isEqualTo("/payouts");
        assertThat(PayoutRoutes.safeBack("/payouts//evil.example")).isEqualTo("/payouts");
        assertThat(PayoutRoutes.safeBack(null)).isEqualTo("/payouts");
    }
}
