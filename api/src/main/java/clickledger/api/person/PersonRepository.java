package clickledger.api.person;

import static clickledger.db.jooq.Tables.PERSON;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Role;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.PartnerId;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.PersonRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** person rows: people who sign in, with their Argon2id password hash. */
public final class PersonRepository {
    private final DSLContext dsl;

    public PersonRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** A person with the stored hash, for sign-in and password change only. */
    public record Stored(Person person, String passwordHash) {
        @Override
        public String toString() {
            return "Stored[person=" + person + ", passwordHash=<redacted>]";
        }
    }

    /**
     * False when a person (not removed) already has the email, ignoring case: the partial unique
     * index person_email_key turns it away, and ON CONFLICT keeps the transaction usable.
     */
    public boolean insert(Person person, String passwordHash) {
        return dsl.insertInto(PERSON)
                        .set(PERSON.ID, person.id())
                        .set(PERSON.ROLE, person.role().wire())
                        .set(
                                PERSON.PARTNER_ID,
                                person.partnerId() == null
                                        ? null
                                        : person.partnerId().value())
                        .set(PERSON.EMAIL, person.email())
                        .set(PERSON.NAME, person.name())
                        .set(PERSON.PASSWORD_HASH, passwordHash)
                        .set(PERSON.CREATED_AT, offset(person.createdAt()))
                        .set(PERSON.UPDATED_AT, offset(person.createdAt()))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    /** The person (not removed) with this email, ignoring case; by the index person_email_key. */
    public Optional<Stored> findByEmail(String email) {
        return dsl.selectFrom(PERSON)
                .where(DSL.lower(PERSON.EMAIL).eq(email.strip().toLowerCase(Locale.ROOT)))
                .and(PERSON.REMOVED_AT.isNull())
                .fetchOptional()
                .map(PersonRepository::toStored);
    }

    /** A person not removed. */
    public Optional<Stored> find(UUID id) {
        return dsl.selectFrom(PERSON)
                .where(PERSON.ID.eq(id))
                .and(PERSON.REMOVED_AT.isNull())
                .fetchOptional()
                .map(PersonRepository::toStored);
    }

    /** Admins not removed, newest first, paged by id. */
    public Page<Person> admins(PageRequest page) {
        return Page.of(
                dsl.selectFrom(PERSON)
                        .where(PERSON.ROLE.eq(Role.ADMIN.wire()))
                        .and(PERSON.REMOVED_AT.isNull())
                        .and(page.after(PERSON.ID))
                        .orderBy(PERSON.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(row -> toStored(row).person()),
                page,
                person -> Ulid.encode(person.id()));
    }

    /**
     * Locks every admin not removed until the transaction ends and returns their ids, so two
     * removals at once cannot both see another admin left and leave none.
     */
    public List<UUID> lockAdmins() {
        return dsl.select(PERSON.ID)
                .from(PERSON)
                .where(PERSON.ROLE.eq(Role.ADMIN.wire()))
                .and(PERSON.REMOVED_AT.isNull())
                .orderBy(PERSON.ID)
                .forUpdate()
                .fetch(PERSON.ID);
    }

    public boolean anyAdmin() {
        return dsl.fetchExists(dsl.selectOne()
                .from(PERSON)
                .where(PERSON.ROLE.eq(Role.ADMIN.wire()))
                .and(PERSON.REMOVED_AT.isNull()));
    }

    public void markRemoved(UUID id, Instant now) {
        dsl.update(PERSON)
                .set(PERSON.REMOVED_AT, offset(now))
                .set(PERSON.UPDATED_AT, offset(now))
                .where(PERSON.ID.eq(id))
                .execute();
    }

    public void setPasswordHash(UUID id, String passwordHash, Instant now) {
        dsl.update(PERSON)
                .set(PERSON.PASSWORD_HASH, passwordHash)
                .set(PERSON.UPDATED_AT, offset(now))
                .where(PERSON.ID.eq(id))
                .execute();
    }

    /** Whether a person (not removed) signs in for this partner. */
    public boolean anyOfPartner(PartnerId partnerId) {
        return dsl.fetchExists(dsl.selectOne()
                .from(PERSON)
                .where(PERSON.PARTNER_ID.eq(partnerId.value()))
                .and(PERSON.REMOVED_AT.isNull()));
    }

    public void setEmail(UUID id, String email, Instant now) {
        dsl.update(PERSON)
                .set(PERSON.EMAIL, email)
                .set(PERSON.UPDATED_AT, offset(now))
                .where(PERSON.ID.eq(id))
                .execute();
    }

    public void setName(UUID id, String name, Instant now) {
        dsl.update(PERSON)
                .set(PERSON.NAME, name)
                .set(PERSON.UPDATED_AT, offset(now))
                .where(PERSON.ID.eq(id))
                .execute();
    }

    public void recordLogin(UUID id, Instant now) {
        dsl.update(PERSON)
                .set(PERSON.LAST_LOGIN_AT, offset(now))
                .where(PERSON.ID.eq(id))
                .execute();
    }

    private static Stored toStored(PersonRecord row) {
        return new Stored(
                new Person(
                        row.getId(),
                        Role.fromWire("role", row.getRole()),
                        row.getPartnerId() == null ? null : new PartnerId(row.getPartnerId()),
                        row.getEmail(),
                        row.getName(),
                        row.getCreatedAt().toInstant(),
                        row.getLastLoginAt() == null
                                ? null
                                : row.getLastLoginAt().toInstant()),
                row.getPasswordHash());
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
