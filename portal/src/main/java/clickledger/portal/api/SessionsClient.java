package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/** {@code /v1/sessions}: sign in, who is signed in, sign out. */
public final class SessionsClient {
    private final ApiClient api;

    public SessionsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public Session signIn(Caller caller, String email, String password) {
        return api.post(
                caller,
                ApiPath.of("/v1/sessions"),
                ApiClient.object().put("email", email).put("password", password),
                Session.class);
    }

    /** The caller's session without its token; a 401 {@link ApiProblem} when it is not (or no longer) valid. */
    public Session current(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/sessions/current"), Session.class);
    }

    public void signOut(Caller caller) {
        api.delete(caller, ApiPath.of("/v1/sessions/current"));
    }
}
