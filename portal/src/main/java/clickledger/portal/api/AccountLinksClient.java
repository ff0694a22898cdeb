package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/**
 * The public routes behind the account links of mail, for admins and partners alike: asking for a
 * password reset, using its link, and confirming a new email address. A link that cannot be used
 * is a 404 {@link ApiProblem} whose detail says why (expired, used, unknown).
 */
public final class AccountLinksClient {
    private final ApiClient api;

    public AccountLinksClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** Answers the same whether or not the email has an account; only an existing person gets mail. */
    public void requestPasswordReset(Caller caller, String email) {
        api.post(caller, ApiPath.of("/v1/password-resets"), ApiClient.object().put("email", email));
    }

    public TokenLink passwordReset(Caller caller, String token) {
        return api.get(caller, ApiPath.of("/v1/password-resets/{token}", token), TokenLink.class);
    }

    /** Sets the new password and signs the person in; every other session of theirs ends. */
    public Session resetPassword(Caller caller, String token, String password) {
        return api.post(
                caller,
                ApiPath.of("/v1/password-resets/confirm"),
                ApiClient.object().put("token", token).put("password", password),
                Session.class);
    }

    public TokenLink emailChange(Caller caller, String token) {
        return api.get(caller, ApiPath.of("/v1/email-changes/{token}", token), TokenLink.class);
    }

    /** @return the new address, now the one to sign in with */
    public String confirmEmailChange(Caller caller, String token) {
        return api.post(
                        caller,
                        ApiPath.of("/v1/email-changes/confirm"),
                        ApiClient.object().put("token", token),
                        TokenLink.class)
                .email();
    }
}
