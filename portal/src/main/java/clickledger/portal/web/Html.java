package clickledger.portal.web;

/** Small helpers the templates call: element ids derived from field names, and aria wiring. */
public final class Html {
    private Html() {}

    /** {@code commissionRules[0].amount} becomes {@code f-commissionRules-0-amount}: a valid, stable id. */
    public static String fieldId(String name) {
        StringBuilder id = new StringBuilder("f-");
        boolean dash = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '_') {
                id.append(c);
                dash = false;
            } else if (!dash) {
                id.append('-');
                dash = true;
            }
        }
        int end = id.length();
        while (end > 2 && id.charAt(end - 1) == '-') {
            end--;
        }
        return id.substring(0, end);
    }

    /** The ids of a field's hint and error, for {@code aria-describedby}; null when it has neither. */
    public static String describedBy(String fieldId, String hint, String error) {
        if (hint == null && error == null) {
            return null;
        }
        if (hint == null) {
            return fieldId + "-error";
        }
        return error == null ? fieldId + "-hint" : fieldId + "-hint " + fieldId + "-error";
    }

    /**
     * Whether a URL someone else typed (an applicant's website) may become a link: http or https
     * only, so a {@code javascript:} URL stays text.
     */
    public static boolean webUrl(String url) {
        if (url == null) {
            return false;
        }
        String lower = url.strip().toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://");
    }
}
