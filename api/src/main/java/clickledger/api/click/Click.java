package clickledger.api.click;

import static java.util.Objects.requireNonNull;

import clickledger.api.link.LinkId;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A recorded click, as {@code GET /v1/clicks/{cref}} shows it. The ip hash and landing URL stay
 * internal. Text fields are whatever the visitor's browser sent, so they may be null.
 *
 * @param id the cref
 * @param device what the router read from the user agent: desktop, phone, tablet, bot or other
 *     (null for clicks recorded before it did)
 * @param browser the browser family (Chrome, Safari, Samsung Internet…; Other), null as device
 * @param os the OS family (Windows, macOS, iOS, Android…; Other), null as device
 * @param referrerDomain the Referer's host, lower case, without www.
 */
public record Click(
        ClickId id,
        Instant ts,
        LinkId linkId,
        ProgramId programId,
        PartnerId partnerId,
        @JsonProperty("isBot") boolean isBot,
        String botReason,
        String fraudFlag,
        String country,
        String utmSource,
        String utmMedium,
        String utmCampaign,
        String utmTerm,
        String utmContent,
        String referer,
        String userAgent,
        String device,
        String browser,
        String os,
        String referrerDomain) {
    public Click {
        requireNonNull(id, "id is null");
        requireNonNull(ts, "ts is null");
        requireNonNull(linkId, "linkId is null");
        requireNonNull(programId, "programId is null");
        requireNonNull(partnerId, "partnerId is null");
    }
}
