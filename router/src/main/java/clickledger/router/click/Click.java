package clickledger.router.click;

import java.util.UUID;

/**
 * One click as stored. {@code epochMillis} is the millisecond inside the UUIDv7 {@code id}, which
 * is what lets a lookup by cref prune to one monthly partition. {@code device}, {@code browser},
 * {@code os} and {@code referrerDomain} come from {@link UserAgents} and {@link ReferrerDomain}
 * (null in clicks spooled before they existed).
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
        String fraudFlag,
        String device,
        String browser,
        String os,
        String referrerDomain) {}
