package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/** {@code /v1/admins}, {@code /v1/admin-invitations} and {@code /v1/account}: the people who run the program. */
public final class AdminsClient {
    private final ApiClient api;

    public AdminsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Admin> list(Caller caller, String cursor) {
        return api.list(caller, ApiPath.of("/v1/admins").param("cursor", cursor), Admin.class);
    }

    public void remove(Caller caller, String adminId) {
        api.delete(caller, ApiPath.of("/v1/admins/{id}", adminId));
    }

    public Invitation invite(Caller caller, String email) {
        return api.post(
                caller, ApiPath.of("/v1/admin-invitations"), ApiClient.object().put("email", email), Invitation.class);
    }

    public ListPage<Invitation> invitations(Caller caller) {
        return api.list(caller, ApiPath.of("/v1/admin-invitations"), Invitation.class);
    }

    public void cancelInvitation(Caller caller, String invitationId) {
        api.delete(caller, ApiPath.of("/v1/admin-invitations/{id}", invitationId));
    }

    /** A valid invitation's email and expiry; a 404 {@link ApiProblem} for any other token. */
    public Invitation invitation(Caller caller, String token) {
        return api.get(caller, ApiPath.of("/v1/admin-invitations/{token}", token), Invitation.class);
    }

    public Session accept(Caller caller, String token, String name, String password) {
        return api.post(
                caller,
                ApiPath.of("/v1/admin-invitations/accept"),
                ApiClient.object().put("token", token).put("name", name).put("password", password),
                Session.class);
    }

    public void changePassword(Caller caller, String currentPassword, String newPassword) {
        api.post(
                caller,
                ApiPath.of("/v1/account/password"),
                ApiClient.object().put("currentPassword", currentPassword).put("newPassword", newPassword));
    }
}
