package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/**
 * Partner invitations. {@link Sent} is the answer to an admin's invitation ({@code invitation}
 * null when the partner signs in already and only got the "program added" mail); {@link Pending}
 * one still open; {@link Offer} what the invited person sees behind the link.
 */
public final class PartnerInvitation {
    private PartnerInvitation() {}

    public record Link(String id, String email, Instant expiresAt, String token, String acceptUrl) {}

    public record Sent(Partner partner, List<String> programIds, Link invitation) {
        public Sent {
            programIds = programIds == null ? List.of() : List.copyOf(programIds);
        }
    }

    public record Pending(String id, String email, String partnerId, Instant expiresAt, Instant createdAt) {}

    /** {@code logoUrl}: the api path of the program's logo, null without one. */
    public record OfferedProgram(String id, String slug, String name, String logoUrl) {}

    public record Offer(String email, Instant expiresAt, String partnerName, List<OfferedProgram> programs) {
        public Offer {
            programs = programs == null ? List.of() : List.copyOf(programs);
        }
    }
}
