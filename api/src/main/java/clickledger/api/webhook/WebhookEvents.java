package clickledger.api.webhook;

import clickledger.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The event types of SPEC "Webhooks", the ones an endpoint may subscribe to, plus the test event. */
public final class WebhookEvents {
    public static final String CONVERSION_CREATED = "conversion.created";
    public static final String COMMISSION_CREATED = "commission.created";
    public static final String COMMISSION_APPROVED = "commission.approved";
    public static final String COMMISSION_REVERSED = "commission.reversed";
    public static final String COMMISSION_PAID = "commission.paid";
    public static final String PAYOUT_CREATED = "payout.created";
    public static final String PAYOUT_PAID = "payout.paid";
    public static final String PARTNER_CREATED = "partner.created";
    public static final String PARTNER_REVOKED = "partner.revoked";
    public static final String LINK_CREATED = "link.created";
    /** Sent by {@code POST /v1/webhooks/{id}/test} to that endpoint only, whatever it subscribes to. */
    public static final String TEST = "webhook.test";

    /** In the order docs/webhooks.md lists them; ten entries, so a list lookup costs nothing. */
    public static final List<String> SUBSCRIBABLE = List.of(
            CONVERSION_CREATED,
            COMMISSION_CREATED,
            COMMISSION_APPROVED,
            COMMISSION_REVERSED,
            COMMISSION_PAID,
            PAYOUT_CREATED,
            PAYOUT_PAID,
            PARTNER_CREATED,
            PARTNER_REVOKED,
            LINK_CREATED);

    // An endpoint subscribing to more than every type is a client bug, not a filter.
    private static final int MAX_FILTER_SIZE = 50;

    private WebhookEvents() {}

    /**
     * An endpoint's filter from a request: null or empty means every type. Duplicates collapse;
     * unknown types are a 400 naming {@code field} and listing the known ones.
     */
    static List<String> filter(String field, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        if (requested.size() > MAX_FILTER_SIZE) {
            throw ApiException.badRequest(field, "must list at most " + MAX_FILTER_SIZE + " event types");
        }
        Set<String> types = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String type : requested) {
            if (type != null && SUBSCRIBABLE.contains(type)) {
                types.add(type);
            } else {
                unknown.add(type == null ? "null" : crop(type));
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest(
                    field,
                    "unknown event type " + String.join(", ", unknown) + "; known types are "
                            + String.join(", ", SUBSCRIBABLE));
        }
        return List.copyOf(types);
    }

    private static String crop(String text) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "…" : text;
        return "\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
