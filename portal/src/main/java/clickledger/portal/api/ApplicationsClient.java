package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Public applications to programs: each program's application page (admins switch it on and set
 * its terms), the applications admins approve or reject, and the public routes an applicant uses.
 */
public final class ApplicationsClient {
    private final ApiClient api;

    public ApplicationsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public Application.Form form(Caller caller, String programId) {
        return api.get(caller, ApiPath.of("/v1/programs/{id}/application-form", programId), Application.Form.class);
    }

    public Application.Form saveForm(Caller caller, String programId, boolean enabled, String terms) {
        return api.put(
                caller,
                ApiPath.of("/v1/programs/{id}/application-form", programId),
                ApiClient.object().put("enabled", enabled).put("terms", terms),
                Application.Form.class);
    }

    public ListPage<Application> list(Caller caller, String programId, String status, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/applications")
                        .param("programId", programId)
                        .param("status", status)
                        .param("cursor", cursor),
                Application.class);
    }

    public Application get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/applications/{id}", id), Application.class);
    }

    public Application.Approval approve(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/applications/{id}/approve", id), null, Application.Approval.class);
    }

    /** @param reason null or blank for none; when given, the applicant's mail carries it */
    public Application reject(Caller caller, String id, String reason) {
        ObjectNode body = ApiClient.object();
        if (reason != null && !reason.isBlank()) {
            body.put("reason", reason);
        }
        return api.post(caller, ApiPath.of("/v1/applications/{id}/reject", id), body, Application.class);
    }

    /** The public page of a program that takes applications; a 404 {@link ApiProblem} otherwise. */
    public Application.Offer offer(Caller caller, String programSlug) {
        return api.get(caller, ApiPath.of("/v1/apply/{slug}", programSlug), Application.Offer.class);
    }

    /** Sends an application; the api answers the same whether or not it was stored (honeypot, repeat). */
    public void apply(Caller caller, String programSlug, ObjectNode body) {
        api.post(caller, ApiPath.of("/v1/apply/{slug}", programSlug), body);
    }
}
