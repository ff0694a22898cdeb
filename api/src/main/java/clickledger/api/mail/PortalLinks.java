package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import clickledger.common.id.Ulid;
import java.util.UUID;

/**
 * The portal's pages that the api links to from mail and answers (docs/partners-and-mail.md):
 * one place, so the portal and the api agree on them. Built from PORTAL_URL, without a trailing
 * slash. Tokens are base64url and slugs [A-Za-z0-9_-], so nothing here needs escaping.
 */
public record PortalLinks(String portalUrl) {
    public PortalLinks {
        requireNonNull(portalUrl, "portalUrl is null");
    }

    /** {@code /invitations/admin/{token}} or {@code /invitations/partner/{token}}. */
    public String invitation(String role, String token) {
        return portalUrl + "/invitations/" + role + "/" + token;
    }

    public String passwordReset(String token) {
        return portalUrl + "/reset-password/" + token;
    }

    public String emailChange(String token) {
        return portalUrl + "/confirm-email/" + token;
    }

    public String apply(String programSlug) {
        return portalUrl + "/apply/" + programSlug;
    }

    public String signIn() {
        return portalUrl + "/sign-in";
    }

    public String forgotPassword() {
        return portalUrl + "/forgot-password";
    }

    public String partnerDashboard() {
        return portalUrl + "/partner";
    }

    public String partnerCommissions() {
        return portalUrl + "/partner/commissions";
    }

    public String partnerPayouts() {
        return portalUrl + "/partner/payouts";
    }

    public String partnerPayoutDetails() {
        return portalUrl + "/partner/payout-details";
    }

    public String applications() {
        return portalUrl + "/applications";
    }

    /**
     * A program's logo from the portal's origin ({@code /brand/programs/{id}/logo?v=…}, open to
     * anyone), for mail; {@code v} changes with the image, so caches never show a replaced one.
     */
    public String programLogo(UUID programId, String version) {
        return portalUrl + "/brand/programs/" + Ulid.encode(programId) + "/logo?v=" + version;
    }

    public String webhook(String endpointId) {
        return portalUrl + "/webhooks/" + endpointId;
    }
}
