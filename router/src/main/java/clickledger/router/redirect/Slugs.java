package clickledger.router.redirect;

/** Slug syntax, {@code [A-Za-z0-9_-]{1,64}}, checked by hand: this runs on every request. */
final class Slugs {
    private Slugs() {}

    static boolean valid(String slug) {
        int length = slug.length();
        if (length == 0 || length > 64) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = slug.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
