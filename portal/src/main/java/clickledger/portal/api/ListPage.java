package clickledger.portal.api;

import java.util.List;

/** One page of an api list, {@code {items, nextCursor}}; {@code nextCursor} is null on the last page. */
public record ListPage<T>(List<T> items, String nextCursor) {
    public ListPage {
        items = items == null ? List.of() : List.copyOf(items);
    }

    public boolean hasMore() {
        return nextCursor != null;
    }
}
