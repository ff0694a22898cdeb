package clickledger.api.http;

import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.util.UUID;

/** Parses the ids clients send: the 26-character form the api shows, or a 36-character UUID. */
public final class Ids {
    private Ids() {}

    public static UUID parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest(field, "is required");
        }
        return Ulid.parse(text)
                .orElseThrow(() -> ApiException.badRequest(field, "is not a valid id (26-character id or UUID)"));
    }
}
