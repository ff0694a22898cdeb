package clickledger.router.redirect;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Lenient query decoding: a malformed escape yields the raw text instead of an exception. */
final class QueryText {
    private QueryText() {}

    static String decode(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
