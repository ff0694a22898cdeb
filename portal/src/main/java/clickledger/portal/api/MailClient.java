package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/** {@code /v1/mail}: the delivery log of the mail outbox, for admins. */
public final class MailClient {
    private final ApiClient api;

    public MailClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Mail> list(Caller caller, String status, String kind, String to, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/mail")
                        .param("status", status)
                        .param("kind", kind)
                        .param("to", to)
                        .param("cursor", cursor),
                Mail.class);
    }

    public Mail.Status status(Caller caller) {
        return api.get(caller, ApiPath.of("/v1/mail/status"), Mail.Status.class);
    }

    /** Queues a dead message again; 409 {@code not_dead} or {@code mail_expired} otherwise. */
    public Mail resend(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/mail/{id}/resend", id), null, Mail.class);
    }
}
