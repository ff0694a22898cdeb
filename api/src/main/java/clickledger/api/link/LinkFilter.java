package clickledger.api.link;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import java.util.List;
import java.util.UUID;

/**
 * Which links a list shows.
 *
 * @param programId null for every program
 * @param partnerId null for every partner
 * @param status null for every status
 * @param ids only these links; null for every link
 * @param tag only links with this (normalised) tag; null for any
 * @param includeArchived archived links too ({@code ?archived=true}); by default they are hidden
 */
public record LinkFilter(
        ProgramId programId,
        PartnerId partnerId,
        LinkStatus status,
        List<UUID> ids,
        String tag,
        boolean includeArchived) {

    public static LinkFilter of(ProgramId programId, PartnerId partnerId, LinkStatus status) {
        return new LinkFilter(programId, partnerId, status, null, null, false);
    }
}
