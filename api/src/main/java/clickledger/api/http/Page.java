package clickledger.api.http;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list: {@code {items, nextCursor}}; nextCursor is null on the last page.
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    /** Cuts rows fetched with {@link PageRequest#fetchSize()} down to a page and its cursor. */
    public static <T> Page<T> of(List<T> rows, PageRequest request, Function<T, String> cursorOf) {
        if (rows.size() <= request.limit()) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, request.limit());
        return new Page<>(items, cursorOf.apply(items.getLast()));
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), nextCursor);
    }
}
