package clickledger.portal.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A path of the api with its query string; blank parameters are left out, values are encoded. */
public final class ApiPath {
    private final StringBuilder path;
    private boolean hasQuery;

    private ApiPath(String path) {
        this.path = new StringBuilder(path);
    }

    /** {@code segments} are path-encoded, so an id from a URL can never climb out of its route. */
    public static ApiPath of(String template, String... segments) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                int end = template.indexOf('}', i);
                out.append(encode(segments[next++]));
                i = end;
            } else {
                out.append(c);
            }
        }
        if (next != segments.length) {
            throw new IllegalArgumentException(template + " takes " + next + " segments, got " + segments.length);
        }
        return new ApiPath(out.toString());
    }

    public ApiPath param(String name, Object value) {
        if (value == null || value.toString().isBlank()) {
            return this;
        }
        path.append(hasQuery ? '&' : '?')
                .append(name)
                .append('=')
                .append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
        hasQuery = true;
        return this;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
