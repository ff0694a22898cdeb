package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code /v1/partner-invitations}: admins invite a partner by email to programs; the invited
 * person opens the link (public routes) and sets a password.
 */
public final class PartnerInvitationsClient {
    private final ApiClient api;

    public PartnerInvitationsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** @param name null to let the api take the part of the email before {@code @} */
    public PartnerInvitation.Sent invite(Caller caller, String email, String name, List<String> programIds) {
        ObjectNode body = ApiClient.object().put("email", email);
        if (name != null && !name.isBlank()) {
            body.put("name", name);
        }
        ArrayNode ids = body.putArray("programIds");
        programIds.forEach(ids::add);
        return api.post(caller, ApiPath.of("/v1/partner-invitations"), body, PartnerInvitation.Sent.class);
    }

    public List<PartnerInvitation.Pending> pending(Caller caller, String partnerId) {
        return api.list(
                        caller,
                        ApiPath.of("/v1/partner-invitations").param("partnerId", partnerId),
                        PartnerInvitation.Pending.class)
                .items();
    }

    public void withdraw(Caller caller, String invitationId) {
        api.delete(caller, ApiPath.of("/v1/partner-invitations/{id}", invitationId));
    }

    /** What a valid link offers; a 404 {@link ApiProblem} ({@code invitation_invalid}) for any other. */
    public PartnerInvitation.Offer offer(Caller caller, String token) {
        return api.get(caller, ApiPath.of("/v1/partner-invitations/{token}", token), PartnerInvitation.Offer.class);
    }

    public Session accept(Caller caller, String token, String name, String password) {
        return api.post(
                caller,
                ApiPath.of("/v1/partner-invitations/accept"),
                ApiClient.object().put("token", token).put("name", name).put("password", password),
                Session.class);
    }
}
