package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserLock;
import clickledger.api.money.Money;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * {@code POST /v1/events}: stores the event once per (program, eventId), attributes it under the
 * program's model and creates its commissions, or reverses commissions for a refund, all in one
 * transaction under the user's lock. A repeat with the same body returns the stored result; a
 * repeat with a different body is a conflict.
 */
public final class EventService {
    // Clocks of merchants' servers drift; an event a few minutes "in the future" is still real.
    static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    public static final String ADJUSTMENT = "adjustment";

    private final DSLContext dsl;
    private final Clock clock;
    private final EventListener listener;

    /** Told about every newly stored event, inside its transaction (the webhook outbox hooks in here). */
    public interface EventListener {
        void stored(DSLContext trx, EventView view);

        EventListener NONE = (trx, view) -> {};
    }

    public EventService(DSLContext dsl, Clock clock, EventListener listener) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** The outcome: the event view, and whether this call created it (201) or found it (200). */
    public record Outcome(EventView view, boolean created) {}

    public Outcome record(UUID programId, EventRequest request) {
        Instant now = clock.instant();
        ProgramSettings program = ProgramSettings.load(dsl, programId);
        String currency = program.currency().getCurrencyCode();
        if (request.currency() != null
                && !request.currency().toUpperCase(Locale.ROOT).equals(currency)) {
            throw ApiException.badRequest("currency", "must be the program's currency, " + currency);
        }
        Long valueMinor = request.value() == null
                ? null
                : Money.parse("value", request.value(), program.currency()).minor();
        if (valueMinor != null && valueMinor < 0 && !ADJUSTMENT.equals(request.type())) {
            throw ApiException.badRequest("value", "may be negative only for events of type \"adjustment\"");
        }
        if (request.ts() != null && request.ts().isAfter(now.plus(FUTURE_SKEW))) {
            throw ApiException.badRequest("ts", "is in the future");
        }
        Instant ts = request.ts() == null ? now : request.ts();
        String hash = requestHash(programId, request, valueMinor);
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            Long value = valueMinor;
            UserLock.acquire(trx, programId, request.userId());
            Optional<EventRow> existing = EventRepository.findByKey(trx, programId, request.eventId());
            if (existing.isPresent()) {
                return replay(trx, existing.get(), hash);
            }
            EventRow original = null;
            long refundedBefore = 0;
            if (request.refundOf() != null) {
                original = findOriginal(trx, programId, request.refundOf());
                if (!original.userId().equals(request.userId())) {
                    throw ApiException.badRequest("userId", "must be the user of the refunded event");
                }
                refundedBefore = EventRepository.refundedSoFar(trx, original.id());
                long remaining = original.value() - refundedBefore;
                if (value == null) {
                    value = remaining;
                }
                if (value <= 0 && original.value() > 0) {
                    if (remaining <= 0) {
                        throw ApiException.conflict(
                                "already_refunded", "refundOf: the event is already fully refunded");
                    }
                    throw ApiException.badRequest("value", "must be positive for a refund");
                }
                if (value > remaining) {
                    throw ApiException.conflict(
                            "refund_exceeds_value",
                            "refundOf: refunds would total more than the event's value (remaining "
                                    + Money.format(remaining, program.currency()) + ")");
                }
            }
            EventRow event = new EventRow(
                    Ulid.newUuidV7(now.toEpochMilli()),
                    programId,
                    request.eventId(),
                    hash,
                    request.userId(),
                    request.type(),
                    value,
                    currency,
                    original == null ? null : original.id(),
                    request.metadata(),
                    ts,
                    original == null ? null : "refund",
                    null);
            if (!EventRepository.insertIfAbsent(trx, event, now)) {
                // Same eventId under another user's lock won the race: compare with it instead.
                return replay(
                        trx,
                        EventRepository.findByKey(trx, programId, request.eventId())
                                .orElseThrow(),
                        hash);
            }
            if (original == null) {
                AttributionEngine.attribute(trx, program, event, now);
            } else {
                Refunds.apply(trx, program, original, event, refundedBefore, now);
            }
            EventView view = EventView.load(
                    trx, EventRepository.find(trx, programId, event.id()).orElseThrow());
            listener.stored(trx, view);
            return new Outcome(view, true);
        });
    }

    private static Outcome replay(DSLContext trx, EventRow stored, String hash) {
        if (!stored.requestHash().equals(hash)) {
            throw ApiException.conflict(
                    "event_id_reused",
                    "eventId: an event with this eventId was already recorded with a different body");
        }
        return new Outcome(EventView.load(trx, stored), false);
    }

    private static EventRow findOriginal(DSLContext trx, UUID programId, String refundOf) {
        Optional<EventRow> byKey = EventRepository.findByKey(trx, programId, refundOf);
        Optional<EventRow> original = byKey.isPresent()
                ? byKey
                : Ulid.parse(refundOf).flatMap(id -> EventRepository.find(trx, programId, id));
        EventRow found =
                original.orElseThrow(() -> ApiException.badRequest("refundOf", "no such event in this program"));
        if (found.refundOf() != null) {
            throw ApiException.badRequest("refundOf", "must name a purchase, not another refund");
        }
        return found;
    }

    /** A digest of what the request means (not its formatting), to tell a retry from a reuse of the id. */
    static String requestHash(UUID programId, EventRequest request, Long valueMinor) {
        String canonical = String.join(
                "\u0000",
                programId.toString(),
                request.eventId(),
                request.userId(),
                request.type(),
                String.valueOf(valueMinor),
                String.valueOf(request.ts()),
                String.valueOf(request.refundOf()),
                request.metadata() == null ? "" : canonicalJson(request.metadata()));
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private static String canonicalJson(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return clickledger.web.Json.MAPPER
                    .copy()
                    .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsString(clickledger.web.Json.MAPPER.treeToValue(node, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("metadata cannot be serialised", e);
        }
    }
}
