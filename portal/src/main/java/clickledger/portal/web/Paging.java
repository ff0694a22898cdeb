package clickledger.portal.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Links of a list that the api pages with cursors: back to the first page, and on to the next.
 * The filters of the current view are kept in both.
 */
public record Paging(String firstHref, String nextHref) {
    public static Paging of(String path, Map<String, String> filters, boolean onFirstPage, String nextCursor) {
        String first = onFirstPage ? null : href(path, filters, null);
        String next = nextCursor == null ? null : href(path, filters, nextCursor);
        return new Paging(first, next);
    }

    public static Paging none() {
        return new Paging(null, null);
    }

    public boolean any() {
        return firstHref != null || nextHref != null;
    }

    public static String href(String path, Map<String, String> filters, String cursor) {
        Map<String, String> params = new LinkedHashMap<>(filters);
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        StringBuilder out = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> param : params.entrySet()) {
            if (param.getValue() == null || param.getValue().isBlank()) {
                continue;
            }
            out.append(separator)
                    .append(param.getKey())
                    .append('=')
                    .append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return out.toString();
    }
}
