package clickledger.api.auth;

import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PERSON;
import static clickledger.db.jooq.Tables.SESSION;
import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import clickledger.common.id.Ulid;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Sessions of signed-in people: made at sign-in, found by the SHA-256 of their token on every
 * request that carries one, ended by sign-out, password change, removal of the person, the idle
 * limit or the absolute limit ({@link SessionSettings}).
 *
 * <p>Finding one is a probe of the unique token_hash index joined to the person (and partner) by
 * primary key; no cache, so a revocation holds on every replica from the next request. The only
 * write on the request path is last_seen_at, at most once a {@link SessionSettings#TOUCH_INTERVAL}
 * per session, guarded in SQL so concurrent requests write it once.
 */
public final class Sessions {
    /** Why a session ended, stored in session.revoked_reason. */
    public enum EndReason {
        SIGNED_OUT("signed_out"),
        PASSWORD_CHANGED("password_changed"),
        PERSON_REMOVED("person_removed"),
        PASSWORD_RESET("password_reset"),
        PARTNER_REVOKED("partner_revoked");

        private final String wire;

        EndReason(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** A session just made: its token leaves the api once, in the response to the sign-in. */
    public record Started(String token, SignedIn person) {
        @Override
        public String toString() {
            return "Started[token=<redacted>, person=" + person + "]";
        }
    }

    // Bounded by the column's use: a browser's User-Agent, kept to tell sessions apart in a list.
    private static final int MAX_USER_AGENT = 512;

    private final DSLContext dsl;
    private final Clock clock;
    private final SessionSettings settings;

    public Sessions(DSLContext dsl, Clock clock, SessionSettings settings) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    public SessionSettings settings() {
        return settings;
    }

    /**
     * Starts a session for a person, in the caller's transaction (so a sign-in, the install and an
     * accepted invitation commit the session with what they did).
     */
    public Started start(DSLContext tx, UUID personId, String userAgent, Instant now) {
        OpaqueToken.Issued issued = OpaqueToken.issue(OpaqueToken.SESSION);
        UUID id = Ulid.newUuidV7(now.toEpochMilli());
        Instant expiresAt = now.plus(settings.max());
        tx.insertInto(SESSION)
                .set(SESSION.ID, id)
                .set(SESSION.TOKEN_HASH, issued.hash())
                .set(SESSION.PERSON_ID, personId)
                .set(SESSION.CREATED_AT, offset(now))
                .set(SESSION.LAST_SEEN_AT, offset(now))
                .set(SESSION.EXPIRES_AT, offset(expiresAt))
                .set(SESSION.USER_AGENT, crop(userAgent))
                .execute();
        SignedIn person = find(tx, SESSION.ID.eq(id))
                .flatMap(row -> live(row, now))
                .orElseThrow(() -> new IllegalStateException("a session just made is not live"));
        return new Started(issued.token(), person);
    }

    /** The signed-in person of a token, when the session is live; touches last_seen_at when due. */
    public Optional<Principal> authenticate(String token) {
        if (!OpaqueToken.looksLike(OpaqueToken.SESSION, token)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<Record> row = find(dsl, SESSION.TOKEN_HASH.eq(ApiKeyFormat.hash(token)));
        Optional<SignedIn> person = row.flatMap(found -> live(found, now));
        if (person.isEmpty()) {
            return Optional.empty();
        }
        Instant lastSeen = row.get().get(SESSION.LAST_SEEN_AT).toInstant();
        if (!now.isBefore(lastSeen.plus(SessionSettings.TOUCH_INTERVAL))) {
            touch(person.get().sessionId(), now);
            return Optional.of(Principal.forSession(withLastSeen(person.get(), now)));
        }
        return Optional.of(Principal.forSession(person.get()));
    }

    /** Ends one session; false when it had already ended. */
    public boolean end(DSLContext tx, UUID sessionId, EndReason reason, Instant now) {
        return tx.update(SESSION)
                        .set(SESSION.REVOKED_AT, offset(now))
                        .set(SESSION.REVOKED_REASON, reason.wire())
                        .where(SESSION.ID.eq(sessionId))
                        .and(SESSION.REVOKED_AT.isNull())
                        .execute()
                == 1;
    }

    /**
     * Ends every live session of a person but one (the one changing its password keeps going).
     *
     * @param keep the session to leave alone, or null to end them all
     * @return how many ended
     */
    public int endAllOf(DSLContext tx, UUID personId, UUID keep, EndReason reason, Instant now) {
        return tx.update(SESSION)
                .set(SESSION.REVOKED_AT, offset(now))
                .set(SESSION.REVOKED_REASON, reason.wire())
                .where(SESSION.PERSON_ID.eq(personId))
                .and(SESSION.REVOKED_AT.isNull())
                .and(keep == null ? DSL.noCondition() : SESSION.ID.ne(keep))
                .execute();
    }

    /** Ends every live session of every person of a partner (it was revoked); returns how many. */
    public int endAllOfPartner(DSLContext tx, PartnerId partnerId, Instant now) {
        return tx.update(SESSION)
                .set(SESSION.REVOKED_AT, offset(now))
                .set(SESSION.REVOKED_REASON, EndReason.PARTNER_REVOKED.wire())
                .where(SESSION.PERSON_ID.in(
                        DSL.select(PERSON.ID).from(PERSON).where(PERSON.PARTNER_ID.eq(partnerId.value()))))
                .and(SESSION.REVOKED_AT.isNull())
                .execute();
    }

    private static Optional<Record> find(DSLContext context, Condition which) {
        return context.select(
                        SESSION.ID,
                        SESSION.PERSON_ID,
                        SESSION.LAST_SEEN_AT,
                        SESSION.EXPIRES_AT,
                        SESSION.REVOKED_AT,
                        PERSON.ROLE,
                        PERSON.PARTNER_ID,
                        PERSON.EMAIL,
                        PERSON.NAME,
                        PERSON.REMOVED_AT,
                        PARTNER.STATUS)
                .from(SESSION)
                .join(PERSON)
                .on(PERSON.ID.eq(SESSION.PERSON_ID))
                .leftJoin(PARTNER)
                .on(PARTNER.ID.eq(PERSON.PARTNER_ID))
                .where(which)
                .fetchOptional()
                .map(row -> (Record) row);
    }

    /** The person of a session row when it is live at {@code now}: not ended, not expired, not removed. */
    private Optional<SignedIn> live(Record row, Instant now) {
        if (row.get(SESSION.REVOKED_AT) != null || row.get(PERSON.REMOVED_AT) != null) {
            return Optional.empty();
        }
        // A revoked partner's people lose access with the partner's keys (issue 15 signs them in).
        if ("revoked".equals(row.get(PARTNER.STATUS))) {
            return Optional.empty();
        }
        Instant expiresAt = row.get(SESSION.EXPIRES_AT).toInstant();
        Instant idleExpiresAt = min(row.get(SESSION.LAST_SEEN_AT).toInstant().plus(settings.idle()), expiresAt);
        if (!now.isBefore(idleExpiresAt)) {
            return Optional.empty();
        }
        UUID partnerId = row.get(PERSON.PARTNER_ID);
        return Optional.of(new SignedIn(
                row.get(SESSION.ID),
                row.get(SESSION.PERSON_ID),
                Role.fromWire("role", row.get(PERSON.ROLE)),
                partnerId == null ? null : new PartnerId(partnerId),
                row.get(PERSON.EMAIL),
                row.get(PERSON.NAME),
                expiresAt,
                idleExpiresAt));
    }

    private SignedIn withLastSeen(SignedIn person, Instant lastSeen) {
        return new SignedIn(
                person.sessionId(),
                person.personId(),
                person.role(),
                person.partnerId(),
                person.email(),
                person.name(),
                person.expiresAt(),
                min(lastSeen.plus(settings.idle()), person.expiresAt()));
    }

    private void touch(UUID sessionId, Instant now) {
        dsl.update(SESSION)
                .set(SESSION.LAST_SEEN_AT, offset(now))
                .where(SESSION.ID.eq(sessionId))
                .and(SESSION.LAST_SEEN_AT.le(offset(now.minus(SessionSettings.TOUCH_INTERVAL))))
                .execute();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String crop(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        return userAgent.length() <= MAX_USER_AGENT ? userAgent : userAgent.substring(0, MAX_USER_AGENT);
    }

    static OffsetDateTime offset(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
