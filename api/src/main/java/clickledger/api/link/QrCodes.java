package clickledger.api.link;

import clickledger.common.crypto.Sha256;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * QR codes of share links, drawn by ZXing: PNG at the asked size, or SVG with one unit per module
 * (scaled by the viewer, so it stays sharp at any size). Error correction M (15 %), a quiet zone
 * of 4 modules as the standard asks, so a code printed on a flyer still scans.
 *
 * <p>Drawing a 2048-pixel PNG takes milliseconds and a share link's code never changes (its URL is
 * the router's base and the slug, and slugs do not change), so codes are kept in a bounded
 * least-recently-used cache: {@link #MAX_ENTRIES} codes, each at most about 60 KB (a 2048-pixel
 * PNG of a long URL; flat areas compress well), so the cache stays under 16 MB however many links
 * a portal user pages through.
 */
public final class QrCodes {
    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 2048;
    public static final int DEFAULT_SIZE = 512;
    static final int MAX_ENTRIES = 256;
    private static final int QUIET_ZONE_MODULES = 4;

    /** PNG or SVG, with the media type it is served as. */
    public enum Format {
        PNG("png", "image/png"),
        SVG("svg", "image/svg+xml");

        private final String wire;
        private final String mediaType;

        Format(String wire, String mediaType) {
            this.wire = wire;
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }

        public static Format fromWire(String text) {
            for (Format format : values()) {
                if (format.wire.equals(text)) {
                    return format;
                }
            }
            return null;
        }
    }

    /** A drawn code and its entity tag (a digest of the bytes, so it changes only if they do). */
    public record Image(byte[] bytes, String etag) {}

    private record Key(String text, Format format, int size) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Image> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Image> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private long drawn;

    /** The code of {@code text}; drawn at most once while it stays in the cache. */
    public Image image(String text, Format format, int size) {
        Key key = new Key(text, format, size);
        lock.lock();
        try {
            Image cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
        } finally {
            lock.unlock();
        }
        // Drawn outside the lock: two requests for one new code may both draw it, which costs
        // milliseconds, while holding the lock would make every other request wait for them.
        Image image = draw(key);
        lock.lock();
        try {
            drawn++;
            cache.put(key, image);
            return image;
        } finally {
            lock.unlock();
        }
    }

    /** How many codes were drawn rather than served from the cache (for tests of the cache). */
    long drawn() {
        lock.lock();
        try {
            return drawn;
        } finally {
            lock.unlock();
        }
    }

    private static Image draw(Key key) {
        byte[] bytes = key.format() == Format.PNG ? png(key.text(), key.size()) : svg(key.text(), key.size());
        return new Image(bytes, etag(bytes));
    }

    private static byte[] png(String text, int size) {
        BitMatrix matrix = encode(text, size);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            MatrixToImageWriter.writeToStream(matrix, "PNG", out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG to memory failed", e);
        }
        return out.toByteArray();
    }

    /** One unit per module, dark modules as runs along each row in a single path. */
    private static byte[] svg(String text, int size) {
        BitMatrix matrix = encode(text, 0);
        int width = matrix.getWidth();
        StringBuilder path = new StringBuilder(width * width);
        for (int y = 0; y < matrix.getHeight(); y++) {
            int x = 0;
            while (x < width) {
                if (!matrix.get(x, y)) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < width && matrix.get(x, y)) {
                    x++;
                }
                path.append('M')
                        .append(start)
                        .append(' ')
                        .append(y)
                        .append('h')
                        .append(x - start)
                        .append("v1h-")
                        .append(x - start)
                        .append('z');
            }
        }
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + size + "\" height=\"" + size
                + "\" viewBox=\"0 0 " + width + " " + matrix.getHeight()
                + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
        return svg.getBytes(StandardCharsets.UTF_8);
    }

    private static BitMatrix encode(String text, int size) {
        Map<EncodeHintType, Object> hints = Map.of(
                EncodeHintType.ERROR_CORRECTION,
                ErrorCorrectionLevel.M,
                EncodeHintType.MARGIN,
                QUIET_ZONE_MODULES,
                EncodeHintType.CHARACTER_SET,
                StandardCharsets.UTF_8.name());
        try {
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, hints);
        } catch (WriterException e) {
            // Only for text beyond a QR code's capacity (about 2,300 bytes at level M); a share URL
            // is the router's base and a slug of at most 64 characters.
            throw new IllegalArgumentException("cannot draw a QR code of " + text.length() + " characters", e);
        }
    }

    private static String etag(byte[] bytes) {
        return "\"" + HexFormat.of().formatHex(Sha256.digest(bytes), 0, 16) + "\"";
    }
}
