package clickledger.api.mail;

import static clickledger.db.jooq.Tables.MAIL_MESSAGE;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.db.jooq.tables.records.MailMessageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** mail_message rows: the worker's claim and outcomes, and the admins' mail log. */
public final class MailRepository {
    public static final String PENDING = "pending";
    public static final String SENT = "sent";
    public static final String DEAD = "dead";
    public static final String EXPIRED = "expired";

    private final DSLContext dsl;

    public MailRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** A message leased to this worker, with what sending it takes. */
    record Claimed(
            UUID id,
            String kind,
            String recipient,
            String subject,
            byte[] body,
            int attemptsBefore,
            Instant expiresAt,
            UUID leaseToken) {
        @Override
        public String toString() {
            return "Claimed[id=" + id + ", kind=" + kind + "]";
        }
    }

    // One statement, like the webhooks' claim: the due rows in due order, locked with SKIP LOCKED so
    // concurrent workers (every api replica runs one) each get different rows without waiting, then
    // leased: next_attempt_at moves to the lease's end, so a worker that dies mid-send leaves the row
    // due again then. By mail_message_due_idx.
    private static final String CLAIM =
            """
            update mail_message m
               set lease_token = ?::uuid, next_attempt_at = ?::timestamptz
              from (select id from mail_message
                     where status = 'pending' and next_attempt_at <= ?::timestamptz
                     order by next_attempt_at
                     limit ?::int
                     for update skip locked) c
             where m.id = c.id
            returning m.id, m.kind, m.recipient, m.subject, m.body_enc, m.attempts, m.expires_at""";

    List<Claimed> claim(int slots, Instant now, Duration lease) {
        UUID token = UUID.randomUUID();
        return dsl.resultQuery(CLAIM, token, utc(now.plus(lease)), utc(now), slots)
                .fetch(row -> new Claimed(
                        row.get(0, UUID.class),
                        row.get(1, String.class),
                        row.get(2, String.class),
                        row.get(3, String.class),
                        row.get(4, byte[].class),
                        row.get(5, Integer.class),
                        instant(row.get(6, OffsetDateTime.class)),
                        token));
    }

    /**
     * The message went: sent, and its body (with its links) dropped.
     *
     * @return false when the lease had passed to another worker meanwhile
     */
    boolean recordSent(Claimed claimed, Instant sentAt) {
        return dsl.update(MAIL_MESSAGE)
                        .set(MAIL_MESSAGE.STATUS, SENT)
                        .set(MAIL_MESSAGE.ATTEMPTS, claimed.attemptsBefore() + 1)
                        .set(MAIL_MESSAGE.SENT_AT, utc(sentAt))
                        .set(MAIL_MESSAGE.NEXT_ATTEMPT_AT, utc(sentAt))
                        .setNull(MAIL_MESSAGE.BODY_ENC)
                        .setNull(MAIL_MESSAGE.LAST_ERROR)
                        .setNull(MAIL_MESSAGE.LEASE_TOKEN)
                        .where(MAIL_MESSAGE.ID.eq(claimed.id()))
                        .and(MAIL_MESSAGE.LEASE_TOKEN.eq(claimed.leaseToken()))
                        .execute()
                == 1;
    }

    /**
     * A failed attempt: pending again at {@code next}, or dead (the body is kept, so an admin can
     * send it again once the cause is fixed).
     */
    boolean recordFailure(Claimed claimed, String status, Instant next, String error) {
        return dsl.update(MAIL_MESSAGE)
                        .set(MAIL_MESSAGE.STATUS, status)
                        .set(MAIL_MESSAGE.ATTEMPTS, claimed.attemptsBefore() + 1)
                        .set(MAIL_MESSAGE.NEXT_ATTEMPT_AT, utc(next))
                        .set(MAIL_MESSAGE.LAST_ERROR, crop(error))
                        .setNull(MAIL_MESSAGE.LEASE_TOKEN)
                        .where(MAIL_MESSAGE.ID.eq(claimed.id()))
                        .and(MAIL_MESSAGE.LEASE_TOKEN.eq(claimed.leaseToken()))
                        .execute()
                == 1;
    }

    /** Its links expired before it could go: never sent, and its body dropped. */
    boolean recordExpired(Claimed claimed, Instant now) {
        return dsl.update(MAIL_MESSAGE)
                        .set(MAIL_MESSAGE.STATUS, EXPIRED)
                        .set(MAIL_MESSAGE.NEXT_ATTEMPT_AT, utc(now))
                        .setNull(MAIL_MESSAGE.BODY_ENC)
                        .setNull(MAIL_MESSAGE.LEASE_TOKEN)
                        .where(MAIL_MESSAGE.ID.eq(claimed.id()))
                        .and(MAIL_MESSAGE.LEASE_TOKEN.eq(claimed.leaseToken()))
                        .execute()
                == 1;
    }

    /**
     * Newest first.
     *
     * @param status null for every status
     * @param kind null for every kind
     * @param recipient null for every recipient; else exact, ignoring case (mail_message_recipient_idx)
     */
    Page<MailView> list(String status, MailKind kind, String recipient, PageRequest page) {
        return Page.of(
                dsl.selectFrom(MAIL_MESSAGE)
                        .where(page.after(MAIL_MESSAGE.ID))
                        .and(status == null ? DSL.noCondition() : MAIL_MESSAGE.STATUS.eq(status))
                        .and(kind == null ? DSL.noCondition() : MAIL_MESSAGE.KIND.eq(kind.wire()))
                        .and(
                                recipient == null
                                        ? DSL.noCondition()
                                        : DSL.lower(MAIL_MESSAGE.RECIPIENT).eq(recipient.toLowerCase(Locale.ROOT)))
                        .orderBy(MAIL_MESSAGE.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(MailRepository::toView),
                page,
                MailView::id);
    }

    Optional<MailView> find(UUID id) {
        return dsl.selectFrom(MAIL_MESSAGE)
                .where(MAIL_MESSAGE.ID.eq(id))
                .fetchOptional()
                .map(MailRepository::toView);
    }

    /** Locks the row until the transaction ends. */
    Optional<MailMessageRecord> findForUpdate(UUID id) {
        return dsl.selectFrom(MAIL_MESSAGE)
                .where(MAIL_MESSAGE.ID.eq(id))
                .forUpdate()
                .fetchOptional();
    }

    /** A dead message due again now, with a fresh allowance of attempts. */
    void requeue(UUID id, Instant now) {
        dsl.update(MAIL_MESSAGE)
                .set(MAIL_MESSAGE.STATUS, PENDING)
                .set(MAIL_MESSAGE.ATTEMPTS, 0)
                .set(MAIL_MESSAGE.NEXT_ATTEMPT_AT, utc(now))
                .setNull(MAIL_MESSAGE.LEASE_TOKEN)
                .where(MAIL_MESSAGE.ID.eq(id))
                .execute();
    }

    /** How many messages are in each status, for the settings page. */
    Map<String, Integer> countsByStatus() {
        return dsl
                .select(MAIL_MESSAGE.STATUS, DSL.count())
                .from(MAIL_MESSAGE)
                .where(MAIL_MESSAGE.STATUS.in(PENDING, DEAD))
                .groupBy(MAIL_MESSAGE.STATUS)
                .fetch()
                .stream()
                .collect(Collectors.toMap(row -> row.value1(), row -> row.value2()));
    }

    static MailView toView(MailMessageRecord row) {
        boolean pending = PENDING.equals(row.getStatus());
        return new MailView(
                clickledger.common.id.Ulid.encode(row.getId()),
                row.getKind(),
                row.getRecipient(),
                row.getSubject(),
                row.getStatus(),
                row.getAttempts(),
                pending ? instant(row.getNextAttemptAt()) : null,
                row.getLastError(),
                row.getCreatedAt().toInstant(),
                instant(row.getSentAt()),
                instant(row.getExpiresAt()));
    }

    // An SMTP server's reply can be long; the log needs its first lines.
    private static String crop(String error) {
        if (error == null) {
            return null;
        }
        return error.length() <= 1000 ? error : error.substring(0, 1000);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
