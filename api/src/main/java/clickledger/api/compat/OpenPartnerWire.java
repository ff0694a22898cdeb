package clickledger.api.compat;

import clickledger.api.event.EventView;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.util.List;

/**
 * The answers of OpenPartner's routes as its SDK types them ({@code IdentifyResponse},
 * {@code EventResponse}), built from clickledger's own results. Absent optional fields are left
 * out rather than sent as null, as OpenPartner does.
 */
final class OpenPartnerWire {
    private OpenPartnerWire() {}

    /** @param backfilledAttributions earlier events of the user that this stitch attributed */
    record IdentifyAnswer(boolean ok, String identityId, boolean firstStitch, int backfilledAttributions) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EventAnswer(boolean ok, String eventId, Attribution attribution) {
        /** @param view the event as /v1/events shows it; {@code eventId} is its idempotency key */
        static EventAnswer of(EventView view) {
            List<Touch> touches = view.attribution().touches().stream()
                    .map(touch -> new Touch(
                            touch.clickId(),
                            touch.partnerId(),
                            // A JSON number, as OpenPartner sends it; the stored weight has 10 decimals.
                            new BigDecimal(touch.weight()),
                            touch.attributionId(),
                            touch.commissionIds().isEmpty()
                                    ? null
                                    : touch.commissionIds().getFirst(),
                            touch.commissionIds()))
                    .toList();
            return new EventAnswer(
                    true,
                    view.eventId(),
                    new Attribution(
                            view.attribution().status(), view.attribution().model(), touches));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attribution(String status, String model, List<Touch> touches) {}

    /**
     * @param clickId the click's cref
     * @param commissionId the touch's first commission, as OpenPartner has one per touch
     * @param commissionIds all of them: a program with several rules pays a touch more than once
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Touch(
            String clickId,
            String partnerId,
            BigDecimal weight,
            String attributionId,
            String commissionId,
            List<String> commissionIds) {}
}
