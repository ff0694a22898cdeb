package clickledger.common.id;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered 128-bit ids (UUIDv7, RFC 9562) and their 26-character Crockford base32 form (the
 * ULID text form). Every id the product shows is in that form: it is shorter than a UUID, sorts by
 * time, and survives copy-paste in a URL without escaping.
 */
public final class Ulid {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] DECODE = new byte[128];

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
            DECODE[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
        // Crockford's aliases for characters people misread.
        DECODE['O'] = DECODE['o'] = 0;
        DECODE['I'] = DECODE['i'] = DECODE['L'] = DECODE['l'] = 1;
    }

    private Ulid() {}

    // Last millisecond and 12-bit sequence handed out, packed as (millis << 12) | sequence.
    private static final java.util.concurrent.atomic.AtomicLong LAST = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A UUIDv7 whose 48-bit timestamp is {@code epochMillis}. Within one millisecond the 12 bits
     * after the version count up from a random start (RFC 9562 method 1), so ids made in this
     * process sort in creation order, which list cursors rely on; the last 62 bits are random.
     */
    public static UUID newUuidV7(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long sequence;
        while (true) {
            long last = LAST.get();
            long lastMillis = last >>> 12;
            // A fresh millisecond starts in the lower half, leaving room to count up.
            sequence = lastMillis == epochMillis && (last & 0xFFF) < 0xFFF ? (last & 0xFFF) + 1 : random.nextInt(0x800);
            if (LAST.compareAndSet(last, (epochMillis << 12) | sequence)) {
                break;
            }
        }
        long msb = (epochMillis << 16) | 0x7000L | sequence;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    public static long epochMillis(UUID uuid) {
        return uuid.getMostSignificantBits() >>> 16;
    }

    public static Instant instant(UUID uuid) {
        return Instant.ofEpochMilli(epochMillis(uuid));
    }

    public static String encode(UUID uuid) {
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        char[] out = new char[26];
        // 128 bits = 2 leading bits + 25 groups of 5; walk from the least significant end.
        for (int i = 25; i >= 0; i--) {
            out[i] = ALPHABET[(int) (lsb & 31)];
            lsb = (lsb >>> 5) | (msb << 59);
            msb >>>= 5;
        }
        return new String(out);
    }

    /** Parses the 26-character form, or a canonical 36-character UUID; empty when it is neither. */
    public static Optional<UUID> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.length() == 36) {
            try {
                return Optional.of(UUID.fromString(text));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (text.length() != 26) {
            return Optional.empty();
        }
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 26; i++) {
            char c = text.charAt(i);
            int value = c < 128 ? DECODE[c] : -1;
            if (value < 0 || (i == 0 && value > 7)) {
                return Optional.empty();
            }
            msb = (msb << 5) | (lsb >>> 59);
            lsb = (lsb << 5) | value;
        }
        return Optional.of(new UUID(msb, lsb));
    }
}
