package clickledger.api.auth;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/** Set-up shared by the key and authorization tests, all through the real api where it can be. */
final class Keys {
    private Keys() {}

    /** Creates a key with the admin key of the environment; returns the create response. */
    static JsonNode create(TestApi api, String kind, String programId, String partnerId) {
        StringBuilder body = new StringBuilder("{\"kind\":\"" + kind + "\",\"name\":\"" + kind + " key\"");
        if (programId != null) {
            body.append(",\"programId\":\"").append(programId).append('"');
        }
        if (partnerId != null) {
            body.append(",\"partnerId\":\"").append(partnerId).append('"');
        }
        return api.post("/v1/api-keys", body.append('}').toString()).expect(201).json();
    }

    /** The text of a new key of this kind. */
    static String key(TestApi api, String kind, String programId, String partnerId) {
        return create(api, kind, programId, partnerId).get("key").asText();
    }

    /** Creates a link with the admin key (which also makes the approved membership); returns its id. */
    static String link(TestApi api, String programId, String partnerId) {
        return api.post("/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programId, partnerId))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    /** Sets (or adds) the partner's membership in the program, as the invite and approve flow will. */
    static void membership(TestApi api, String programId, String partnerId, String status) {
        api.dsl()
                .insertInto(PARTNER_PROGRAM)
                .set(PARTNER_PROGRAM.PROGRAM_ID, uuid(programId))
                .set(PARTNER_PROGRAM.PARTNER_ID, uuid(partnerId))
                .set(PARTNER_PROGRAM.STATUS, status)
                .onConflict(PARTNER_PROGRAM.PARTNER_ID, PARTNER_PROGRAM.PROGRAM_ID)
                .doUpdate()
                .set(PARTNER_PROGRAM.STATUS, status)
                .execute();
    }

    /** Inserts a click on the link the way the router does (ts is the millisecond in the id); returns the cref. */
    static String click(TestApi api, String linkId, String programId, String partnerId) {
        Instant at = Instant.parse("2030-01-20T08:30:00Z")
                .plusMillis(api.clock().instant().toEpochMilli() % 100_000);
        UUID id = Ulid.newUuidV7(at.toEpochMilli());
        api.dsl()
                .insertInto(CLICK)
                .set(CLICK.ID, id)
                .set(CLICK.TS, at.atOffset(ZoneOffset.UTC))
                .set(CLICK.LINK_ID, uuid(linkId))
                .set(CLICK.PROGRAM_ID, uuid(programId))
                .set(CLICK.PARTNER_ID, uuid(partnerId))
                .execute();
        return Ulid.encode(id);
    }

    static UUID uuid(String id) {
        return Ulid.parse(id).orElseThrow();
    }
}
