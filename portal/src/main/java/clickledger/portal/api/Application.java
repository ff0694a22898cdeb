package clickledger.portal.api;

import java.time.Instant;

/** A public application to a program, as admins review it. */
public record Application(
        String id,
        String programId,
        String name,
        String email,
        String website,
        String promotion,
        String status,
        Instant createdAt,
        Instant decidedAt,
        String decidedBy,
        String reason,
        String partnerId) {
    public boolean pending() {
        return "pending".equals(status);
    }

    /** The outcome of approving one: the partner found or made, and its invitation (null when it signs in already). */
    public record Approval(Application application, Partner partner, PartnerInvitation.Link invitation) {}

    /** A program's public application page as its admin sets it. */
    public record Form(String programId, boolean enabled, String terms, String url, Instant updatedAt) {}

    /**
     * The public page's content: which program, and the terms an applicant accepts; {@code
     * logoUrl} is the api path of the program's logo, null without one.
     */
    public record Offer(String programSlug, String programName, String terms, String logoUrl) {}
}
