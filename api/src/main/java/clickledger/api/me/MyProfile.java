package clickledger.api.me;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.auth.SignedIn;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerPatch;
import clickledger.api.partner.PartnerService;
import clickledger.api.person.EmailChangeService;
import clickledger.api.person.PersonRepository;
import clickledger.api.person.SignInLimits;
import clickledger.api.person.SignInService;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * A partner's profile: its name (a key or a session may change it), and, for the signed-in person
 * only, the email they sign in with (confirmed by mail) and their password. A key has no person,
 * so those two answer 403 {@code session_required}.
 */
final class MyProfile {
    private final DSLContext dsl;
    private final Clock clock;
    private final PartnerService partners;
    private final EmailChangeService emailChanges;
    private final SignInService signIn;
    private final SignInLimits limits;

    MyProfile(
            DSLContext dsl,
            Clock clock,
            PartnerService partners,
            EmailChangeService emailChanges,
            SignInService signIn,
            SignInLimits limits) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.partners = requireNonNull(partners, "partners is null");
        this.emailChanges = requireNonNull(emailChanges, "emailChanges is null");
        this.signIn = requireNonNull(signIn, "signIn is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    record NameChange(String name) {}

    record EmailChange(String email, String currentPassword) {
        @Override
        public String toString() {
            return "EmailChange[email=" + email + ", currentPassword=<redacted>]";
        }
    }

    record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[<redacted>]";
        }
    }

    Map<String, Object> view(Principal partner) {
        Partner found = partners.find(partner.partnerId()).orElseThrow();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", found.id().toString());
        view.put("name", found.name().value());
        view.put("email", found.email().value());
        SignedIn person = partner.person();
        view.put(
                "pendingEmail",
                person == null
                        ? null
                        : emailChanges
                                .pending(person.personId())
                                .map(EmailChangeService.Pending::pendingEmail)
                                .orElse(null));
        if (person == null) {
            view.put("person", null);
        } else {
            var stored = new PersonRepository(dsl).find(person.personId()).orElseThrow();
            Map<String, Object> who = new LinkedHashMap<>();
            who.put("userId", Ulid.encode(person.personId()));
            who.put("name", stored.person().name());
            who.put("email", stored.person().email());
            view.put("person", who);
        }
        return view;
    }

    /** The partner's name, and the signed-in person's with it. */
    Map<String, Object> rename(Principal partner, NameChange body) {
        Name name = new Name(body.name());
        partners.update(partner.partnerId(), new PartnerPatch(name.value(), null), Set.of("name"), partner);
        if (partner.person() != null) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            new PersonRepository(dsl).setName(partner.person().personId(), name.value(), now);
        }
        return view(partner);
    }

    EmailChangeService.Pending changeEmail(Context ctx, Principal partner, EmailChange body) {
        SignedIn person = person(partner);
        limits.admit(ctx, person.email());
        return emailChanges.request(person, body.email(), body.currentPassword());
    }

    void changePassword(Context ctx, Principal partner, PasswordChange body) {
        SignedIn person = person(partner);
        limits.admit(ctx, person.email());
        signIn.changePassword(person, body.currentPassword(), body.newPassword());
    }

    private static SignedIn person(Principal partner) {
        if (partner.person() == null) {
            throw new ApiException(
                    403,
                    "session_required",
                    "Forbidden",
                    "changing the email or the password needs the partner's person signed in (a session), not a key",
                    List.of());
        }
        return partner.person();
    }
}
