package clickledger.api.compat;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.IDENTITY;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/** Programs, partners, links and clicks for the OpenPartner tests, made through the api where it can. */
final class Seeds {
    static final String TEN_PERCENT = "[{\"kind\":\"percent\",\"amount\":\"10\"}]";

    private final TestApi api;

    Seeds(TestApi api) {
        this.api = api;
    }

    record Partner(String id, String linkId) {}

    /** A USD program paying 10 % under {@code model}; returns its id. */
    String program(String slug, String model) {
        return api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Shop","destinationUrl":"https://shop.example.com/","currency":"USD",
                         "attributionModel":"%s","lookbackDays":60,"holdbackDays":30,"commissionRules":%s}"""
                                .formatted(slug, model, TEN_PERCENT))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    /** An active partner with one link in the program. */
    Partner partner(String programId) {
        String partnerId = api.createPartner();
        String linkId = api.post(
                        "/v1/links",
                        """
                        {"programId":"%s","partnerId":"%s"}"""
                                .formatted(programId, partnerId))
                .expect(201)
                .json()
                .get("id")
                .asText();
        return new Partner(partnerId, linkId);
    }

    /** A human click on the partner's link at {@code ts}, stored as the router stores one; returns the cref. */
    String click(String programId, Partner partner, Instant ts) {
        UUID id = Ulid.newUuidV7(ts.toEpochMilli());
        api.dsl()
                .insertInto(CLICK)
                .set(CLICK.ID, id)
                .set(CLICK.TS, Instant.ofEpochMilli(ts.toEpochMilli()).atOffset(ZoneOffset.UTC))
                .set(CLICK.LINK_ID, Ulid.parse(partner.linkId()).orElseThrow())
                .set(CLICK.PROGRAM_ID, Ulid.parse(programId).orElseThrow())
                .set(CLICK.PARTNER_ID, Ulid.parse(partner.id()).orElseThrow())
                .set(CLICK.IS_BOT, false)
                .execute();
        return Ulid.encode(id);
    }

    /** Whether PostgreSQL holds an identity tying this user to this click. */
    boolean identityExists(String userId, String cref) {
        return api.dsl()
                .fetchExists(
                        IDENTITY,
                        IDENTITY.USER_ID
                                .eq(userId)
                                .and(IDENTITY.CLICK_ID.eq(Ulid.parse(cref).orElseThrow())));
    }
}
