package clickledger.api.domain;

import clickledger.api.http.FieldErrors;
import clickledger.web.ApiException;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/domains/{id}}: a field left out keeps its value; {@code
 * "cookieDomain": null} makes the cookie host-only. The hostname never changes (its links' URLs
 * would): add the new domain instead.
 */
public record DomainPatch(Boolean dedicated, Boolean primary, String cookieDomain) {

    /** @param present the fields the body named, from {@code Json.presentFields} */
    ShortDomain applyTo(ShortDomain current, Set<String> present) {
        FieldErrors errors = new FieldErrors();
        if (present.contains("dedicated") && dedicated == null) {
            errors.add("dedicated", "must be true or false");
        }
        if (present.contains("primary") && primary == null) {
            errors.add("primary", "must be true or false");
        }
        Hostname newCookieDomain = current.cookieDomain();
        if (present.contains("cookieDomain")) {
            newCookieDomain =
                    cookieDomain == null ? null : errors.check(() -> cookieDomain(cookieDomain, current.hostname()));
        }
        errors.throwIfAny();
        return new ShortDomain(
                current.id(),
                current.programId(),
                current.hostname(),
                dedicated == null ? current.dedicated() : dedicated,
                primary == null ? current.primary() : primary,
                newCookieDomain,
                current.createdAt());
    }

    /**
     * A cookie domain for {@code hostname}: the host itself or a parent of it with at least two
     * labels (a browser drops a cookie for any other domain); a leading dot is accepted and dropped.
     */
    static Hostname cookieDomain(String text, Hostname hostname) {
        Hostname parsed = Hostname.parse("cookieDomain", text.startsWith(".") ? text.substring(1) : text);
        if (hostname != null && !hostname.within(parsed)) {
            throw ApiException.badRequest("cookieDomain", "must be the hostname or a parent domain of it");
        }
        return parsed;
    }
}
