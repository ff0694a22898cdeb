package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.api.ApiProblem;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void fieldIdsAreValidAndStable() {
        assertThat(Html.fieldId("email")).isEqualTo("f-email");
        assertThat(Html.fieldId("admin.email")).isEqualTo("f-admin-email");
        assertThat(Html.fieldId("commissionRules[0].amount")).isEqualTo("f-commissionRules-0-amount");
        assertThat(Html.fieldId("commissionRules[12]")).isEqualTo("f-commissionRules-12");
    }

    @Test
    void describedByNamesTheHintAndTheError() {
        assertThat(Html.describedBy("f-a", null, null)).isNull();
        assertThat(Html.describedBy("f-a", "hint", null)).isEqualTo("f-a-hint");
        assertThat(Html.describedBy("f-a", null, "error")).isEqualTo("f-a-error");
        assertThat(Html.describedBy("f-a", "hint", "error")).isEqualTo("f-a-hint f-a-error");
    }

    @Test
    void apiFieldErrorsGoNextToTheirFieldsAndTheRestAboveTheForm() {
        ApiProblem problem = new ApiProblem(
                400,
                "invalid_request",
                "several problems",
                List.of(
                        new ApiProblem.FieldError("email", "is not an email"),
                        new ApiProblem.FieldError("commissionRules[1].amount", "must be between 0 and 100"),
                        new ApiProblem.FieldError("startsAt", "must be before endsAt")),
                "req");
        FieldErrors errors = FieldErrors.from(problem, Set.of("email", "commissionRules["));
        assertThat(errors.get("email")).isEqualTo("is not an email");
        assertThat(errors.get("commissionRules[1].amount")).isEqualTo("must be between 0 and 100");
        assertThat(errors.general()).isEqualTo("startsAt: must be before endsAt");
    }

    @Test
    void aProblemWithoutFieldErrorsShowsItsDetail() {
        ApiProblem problem = new ApiProblem(409, "slug_taken", "slug: this slug is taken", List.of(), null);
        assertThat(FieldErrors.from(problem, Set.of("slug")).general()).isEqualTo("slug: this slug is taken");
    }
}
