package clickledger.router.click;

import java.util.UUID;

/**
 * One click as stored. {@code epochMillis} is the millisecond inside the UUIDv7 {@code id}, which
 * is what lets a lookup by cref prune to one monthly partition.
 */
public record Click(
        UUID id,
        long epochMillis,
        UUID linkId,
        UUID programId,
        UUID partnerId,
        byte[] ipHash,
        String userAgent,
        String referer,
        String landingUrl,
        String country,
        String utmSource,
        String utmMedium,
        String utmCampaign,
        String utmTerm,
        String utmContent,
        boolean isBot,
        String botReason,
        String fraudFlag) {}
