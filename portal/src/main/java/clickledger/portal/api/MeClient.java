package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * {@code /v1/me} and below: everything a partner sees of their own, called with the partner's
 * session. The api answers another partner's id with a 404, exactly as an id that does not exist,
 * so the portal needs no check of its own.
 */
public final class MeClient {
    private final ApiClient api;

    public MeClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public MyAccount account(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/me"), MyAccount.class);
    }

    public MyStats stats(Caller caller, String programId, LocalDate from, LocalDate to) {
        return stats(caller, programId, from, to, null);
    }

    /** @param groupBy null or "day" for days only; "link" adds each link's figures over the range */
    public MyStats stats(Caller caller, String programId, LocalDate from, LocalDate to, String groupBy) {
        return stats(caller, programId, from, to, groupBy, 0);
    }

    /**
     * @param groupBy a click dimension ({@code country}, {@code device}…) adds each program's
     *     breakdown, its {@code limit} busiest values (0: the api's default)
     */
    public MyStats stats(Caller caller, String programId, LocalDate from, LocalDate to, String groupBy, int limit) {
        return api.get(
                caller,
                ApiPath.of("/v1/me/stats")
                        .param("programId", programId)
                        .param("from", from)
                        .param("to", to)
                        .param("groupBy", groupBy)
                        .param("limit", limit > 0 ? limit : null),
                MyStats.class);
    }

    public ListPage<Link> links(Caller caller, String programId, String cursor) {
        return links(caller, programId, null, false, cursor);
    }

    /**
     * @param tag only links with this tag; null for any
     * @param archived archived links too
     */
    public ListPage<Link> links(Caller caller, String programId, String tag, boolean archived, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/me/links")
                        .param("programId", programId)
                        .param("tag", tag)
                        .param("archived", archived ? "true" : null)
                        .param("cursor", cursor),
                Link.class);
    }

    public Link archiveLink(Caller caller, String id, boolean archived) {
        return api.post(
                caller,
                ApiPath.of(archived ? "/v1/me/links/{id}/archive" : "/v1/me/links/{id}/unarchive", id),
                null,
                Link.class);
    }

    /** Only a link without clicks; else an {@link ApiProblem} 409 {@code link_has_clicks}. */
    public void deleteLink(Caller caller, String id) {
        api.delete(caller, ApiPath.of("/v1/me/links/{id}", id));
    }

    public Link link(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/me/links/{id}", id), Link.class);
    }

    /** @param slug null for one the api makes up */
    public Link createLink(Caller caller, String programId, String slug) {
        return createLink(caller, programId, slug, List.of(), null);
    }

    /**
     * @param slug null for one the api makes up
     * @param tags the link's tags, as typed (the api normalises them)
     * @param path a deep link: a path on the program's site; null for its destination
     */
    public Link createLink(Caller caller, String programId, String slug, List<String> tags, String path) {
        ObjectNode body = ApiClient.object().put("programId", programId);
        if (slug != null) {
            body.put("slug", slug);
        }
        if (!tags.isEmpty()) {
            tags.forEach(body.putArray("tags")::add);
        }
        if (path != null) {
            body.put("path", path);
        }
        return api.post(caller, ApiPath.of("/v1/me/links"), body, Link.class);
    }

    public ApiClient.Binary qr(Caller caller, String id, String format, int size, String ifNoneMatch) {
        return api.binary(
                caller,
                ApiPath.of("/v1/me/links/{id}/qr", id).param("format", format).param("size", size),
                ifNoneMatch);
    }

    public ListPage<MyCommission> commissions(Caller caller, String programId, String status, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/me/commissions")
                        .param("programId", programId)
                        .param("status", status)
                        .param("cursor", cursor),
                MyCommission.class);
    }

    public MyCommission commission(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/me/commissions/{id}", id), MyCommission.class);
    }

    public ListPage<Payout> payouts(Caller caller, String programId, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/me/payouts").param("programId", programId).param("cursor", cursor),
                Payout.class);
    }

    public Payout payout(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/me/payouts/{id}", id), Payout.class);
    }

    public PayoutDetails payoutDetails(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/me/payout-details"), PayoutDetails.class);
    }

    /** {@code {method: "paypal", paypalEmail}} or {@code {method: "wise", bankDetails}}. */
    public PayoutDetails savePayoutDetails(Caller caller, ObjectNode body) {
        return api.put(caller, ApiPath.of("/v1/me/payout-details"), body, PayoutDetails.class);
    }

    public Profile profile(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/me/profile"), Profile.class);
    }

    public Profile rename(Caller caller, String name) {
        return api.patch(
                caller, ApiPath.of("/v1/me/profile"), ApiClient.object().put("name", name), Profile.class);
    }

    /** Starts an email change: the new address gets a confirmation link; nothing changes until it is used. */
    public EmailChange changeEmail(Caller caller, String email, String currentPassword) {
        return api.post(
                caller,
                ApiPath.of("/v1/me/profile/email"),
                ApiClient.object().put("email", email).put("currentPassword", currentPassword),
                EmailChange.class);
    }

    public record EmailChange(String pendingEmail, Instant expiresAt) {}

    public void changePassword(Caller caller, String currentPassword, String newPassword) {
        api.post(
                caller,
                ApiPath.of("/v1/me/profile/password"),
                ApiClient.object().put("currentPassword", currentPassword).put("newPassword", newPassword));
    }
}
