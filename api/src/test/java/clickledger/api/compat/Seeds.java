package clickledger.api.compat;

import static clickledger.db.jooq.Tables.IDENTITY;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import java.time.Instant;

/** Programs, partners, links and clicks for the OpenPartner tests, made through the api where it can. */
final class Seeds {
    static final String TEN_PERCENT = "[{\"kind\":\"percent\",\"amount\":\"10\"}]";

    private final TestApi api;
    private final Ledger ledger;

    Seeds(TestApi api) {
        this.api = api;
        this.ledger = new Ledger(api);
    }

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
    Ledger.Partner partner(String programId) {
        return ledger.partner(programId);
    }

    /** A human click on the partner's link at {@code ts}, stored as the router stores one; returns the cref. */
    String click(String programId, Ledger.Partner partner, Instant ts) {
        return ledger.click(programId, partner, ts);
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
