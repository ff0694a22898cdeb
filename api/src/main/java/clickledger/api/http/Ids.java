package clickledger.api.http;

import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.util.ArrayList;
import java.util.List;
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

    /** At most this many ids in one {@code ?ids=} list: a page of names for a dashboard or a queue. */
    public static final int MAX_LIST = 100;

    /** A comma-separated {@code ?ids=a,b,c}; empty entries are skipped, duplicates kept once. */
    public static List<UUID> parseList(String field, String text) {
        List<UUID> ids = new ArrayList<>();
        for (String part : text.split(",", MAX_LIST + 2)) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (ids.size() == MAX_LIST) {
                throw ApiException.badRequest(field, "must list at most " + MAX_LIST + " ids");
            }
            UUID id = Ulid.parse(trimmed)
                    .orElseThrow(() -> ApiException.badRequest(field, "must be ids separated by commas"));
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }
}
