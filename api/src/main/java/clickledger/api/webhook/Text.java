package clickledger.api.webhook;

/** Text from receivers and exceptions, made safe to store: PostgreSQL text cannot hold NUL. */
final class Text {
    private Text() {}

    static String clean(String text, int maxChars) {
        String cropped = text.length() > maxChars ? text.substring(0, maxChars) : text;
        return cropped.indexOf('\u0000') < 0 ? cropped : cropped.replace('\u0000', '\uFFFD');
    }
}
