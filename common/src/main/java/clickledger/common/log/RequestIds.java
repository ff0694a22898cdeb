package clickledger.common.log;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: echo a caller's id when it is short and plain, otherwise mint one. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    public static String acceptOrCreate(String inbound) {
        if (inbound != null && isPlain(inbound)) {
            return inbound;
        }
        return create();
    }

    public static String create() {
        long bits = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (bits & 15)];
            bits >>>= 4;
        }
        return new String(out);
    }

    // A request id ends up in logs and response headers: only accept characters that cannot forge
    // log lines or headers, and a length that cannot bloat them.
    private static boolean isPlain(String value) {
        int length = value.length();
        if (length == 0 || length > 64) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
