package clickledger.api.privacy;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.ProgramLocks;
import clickledger.api.attribution.UserLock;
import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Erases a merchant user's personal data from one program (GDPR Article 17): the user id becomes a
 * pseudonym everywhere it is stored (identities, events, commissions, queued webhook payloads),
 * events lose their metadata, and the clicks stitched to the user lose what identifies a browser
 * (IP hash, user agent, referer, landing URL). Money is untouched: every amount, status and
 * attribution stays, and since the identities keep linking the same clicks to the one pseudonym,
 * a later re-derivation finds the same touches and the same commissions.
 */
public final class ErasureService {
    /** What was erased; the pseudonym is the user's id from now on. */
    public record Result(
            String programId,
            String pseudonym,
            int identities,
            int events,
            int commissions,
            int clicks,
            int webhookDeliveries) {}

    private final DSLContext dsl;
    private final Clock clock;
    private final ProgramLocks locks;

    /** @param locks how an erasure meets a re-derivation of its program */
    public ErasureService(DSLContext dsl, Clock clock, ProgramLocks locks) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.locks = requireNonNull(locks, "locks is null");
    }

    /** Empty when the program has no trace of the user (never seen, or erased already). */
    public Optional<Result> erase(UUID programId, String userId, Principal actor) {
        return locks.run(() -> eraseOnce(programId, userId, actor));
    }

    private Optional<Result> eraseOnce(UUID programId, String userId, Principal actor) {
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            // The user's events and identify calls wait for this, so none slips in half-erased.
            UserLock.acquire(trx, programId, userId);
            boolean known = trx.fetchExists(
                            trx.selectOne().from("identity").where("program_id = ? and user_id = ?", programId, userId))
                    || trx.fetchExists(
                            trx.selectOne().from("event").where("program_id = ? and user_id = ?", programId, userId));
            if (!known) {
                return Optional.<Result>empty();
            }
            Instant now = clock.instant();
            // Random, so the pseudonym cannot be recomputed from the user id it replaces.
            String pseudonym = "erased-" + Ulid.encode(Ulid.newUuidV7(now.toEpochMilli()));
            // The unique-visitor rollup (click_visitor) keeps the IP hashes of recent days to count each
            // visitor once a day; the user's go from it too. Counts already rolled up stay as they are.
            trx.execute(
                    "delete from click_visitor v using identity i, click c where i.program_id = ? and i.user_id = ?"
                            + " and c.id = i.click_id and c.ts = i.click_ts and v.ip_hash = c.ip_hash",
                    programId,
                    userId);
            int clicks = trx.execute(
                    "update click c set ip_hash = null, user_agent = null, referer = null, landing_url = null"
                            + " from identity i where i.program_id = ? and i.user_id = ?"
                            + " and c.id = i.click_id and c.ts = i.click_ts",
                    programId,
                    userId);
            int identities = trx.execute(
                    "update identity set user_id = ? where program_id = ? and user_id = ?",
                    pseudonym,
                    programId,
                    userId);
            // request_hash was computed over the body, user id included: a replay of the old body
            // is now a conflict rather than a match.
            int events = trx.execute(
                    "update event set user_id = ?, metadata = null, request_hash = 'erased'"
                            + " where program_id = ? and user_id = ?",
                    pseudonym,
                    programId,
                    userId);
            int commissions = trx.execute(
                    "update commission set user_id = ? where program_id = ? and user_id = ?",
                    pseudonym,
                    programId,
                    userId);
            int deliveries = scrubDeliveries(trx, userId, pseudonym);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("pseudonym", pseudonym);
            details.put("identities", identities);
            details.put("events", events);
            details.put("commissions", commissions);
            details.put("clicks", clicks);
            details.put("webhookDeliveries", deliveries);
            // The audit line names the pseudonym, never the erased id.
            new AuditRepository(trx)
                    .append(new AuditEntry(
                            now, actor.actor(), "user.erased", "program", Ulid.encode(programId), details));
            return Optional.of(
                    new Result(Ulid.encode(programId), pseudonym, identities, events, commissions, clicks, deliveries));
        });
    }

    /**
     * Queued and delivered webhook payloads that carry the user: every string holding the id gets
     * the pseudonym instead, and every {@code metadata} object is dropped, whatever the payload's
     * shape. Found by the id's text, so only this user's deliveries are read.
     */
    private static int scrubDeliveries(DSLContext trx, String userId, String pseudonym) {
        int scrubbed = 0;
        for (var row : trx.fetch(
                "select id, payload::text from webhook_delivery where strpos(payload::text, ?) > 0 for update",
                jsonText(userId))) {
            JsonNode payload;
            try {
                payload = Json.MAPPER.readTree(row.get(1, String.class));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a stored payload is not JSON", e);
            }
            JsonNode clean = scrub(payload, userId, pseudonym);
            trx.execute(
                    "update webhook_delivery set payload = ?::jsonb where id = ?",
                    clean.toString(),
                    row.get(0, UUID.class));
            scrubbed++;
        }
        return scrubbed;
    }

    private static JsonNode scrub(JsonNode node, String userId, String pseudonym) {
        if (node.isTextual()) {
            return TextNode.valueOf(node.textValue().replace(userId, pseudonym));
        }
        if (node instanceof ObjectNode object) {
            ObjectNode out = object.objectNode();
            object.properties()
                    .forEach(field -> out.set(
                            field.getKey(),
                            field.getKey().equals("metadata")
                                    ? NullNode.getInstance()
                                    : scrub(field.getValue(), userId, pseudonym)));
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = array.arrayNode();
            array.forEach(element -> out.add(scrub(element, userId, pseudonym)));
            return out;
        }
        return node;
    }

    /** The id as it appears inside JSON text (escaped, without the quotes). */
    private static String jsonText(String value) {
        String quoted = quoted(value);
        return quoted.substring(1, quoted.length() - 1);
    }

    /** The id as it appears inside JSON text: quoted and escaped as jsonb prints it. */
    private static String quoted(String value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }
}
