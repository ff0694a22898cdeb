package clickledger.api.http;

import clickledger.web.ApiException;
import io.javalin.http.Context;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * {@code ?limit=&cursor=} of a list request. Lists run newest first, ordered by id: ids are UUIDv7,
 * so id order is creation order, and a cursor (the last id of the previous page) stays valid while
 * rows are added, unlike an offset.
 *
 * @param cursor the last id already seen, or null for the first page
 */
public record PageRequest(int limit, UUID cursor) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit", "must be between 1 and " + MAX_LIMIT);
        }
    }

    public static PageRequest from(Context ctx) {
        FieldErrors errors = new FieldErrors();
        Integer limit = errors.check(() -> parseLimit(ctx.queryParam("limit")));
        String cursorText = ctx.queryParam("cursor");
        UUID cursor =
                cursorText == null || cursorText.isEmpty() ? null : errors.check(() -> Ids.parse("cursor", cursorText));
        errors.throwIfAny();
        return new PageRequest(limit, cursor);
    }

    /** Only {@code ?limit=}, for lists whose cursor is not an id (the audit log's is a number). */
    public static PageRequest from(String limitText) {
        return new PageRequest(parseLimit(limitText), null);
    }

    /** Rows after the cursor in newest-first order. */
    public Condition after(Field<UUID> id) {
        return cursor == null ? DSL.noCondition() : id.lt(cursor);
    }

    /** One row more than the page, to learn whether another page follows without counting. */
    public int fetchSize() {
        return limit + 1;
    }

    private static int parseLimit(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below with the same message as an out-of-range number
        }
        throw ApiException.badRequest("limit", "must be a whole number between 1 and " + MAX_LIMIT);
    }
}
