package clickledger.router.spool;

import clickledger.router.click.Click;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a segment record by record and stops at the first one that is not whole and intact: a
 * length out of range, fewer bytes than the length promises, a checksum mismatch, or a payload
 * that does not decode. Appends are fsync'd before any 302 is sent, so such a record was never
 * acknowledged to a visitor; skipping it loses nothing that was promised.
 */
public final class SegmentReader {
    /** Receives consecutive clicks of a segment; a throw stops the read (the segment is kept). */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(List<Click> chunk) throws Exception;
    }

    /**
     * @param records whole records read
     * @param validBytes bytes up to the end of the last whole record
     * @param tornBytes bytes after it that were skipped (0 when the segment ends cleanly)
     * @param tornReason why the reading stopped early, or null
     */
    public record Result(long records, long validBytes, long tornBytes, String tornReason) {}

    private SegmentReader() {}

    /** Counts whole records without decoding them into clicks. */
    static Result count(Path segment) throws IOException {
        try {
            return scan(segment, 1, null);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Result read(Path segment, int chunkSize, ChunkSink sink) throws Exception {
        return scan(segment, chunkSize, sink);
    }

    private static Result scan(Path segment, int chunkSize, ChunkSink sink) throws Exception {
        long size = Files.size(segment);
        try (InputStream file = Files.newInputStream(segment);
                DataInputStream in = new DataInputStream(new BufferedInputStream(file, 1 << 16))) {
            byte[] magic = new byte[Spool.MAGIC.length];
            if (in.readNBytes(magic, 0, magic.length) != magic.length || !Arrays.equals(magic, Spool.MAGIC)) {
                return new Result(0, 0, size, "not a spool segment (bad header)");
            }
            long offset = magic.length;
            long records = 0;
            List<Click> chunk = new ArrayList<>(sink == null ? 0 : chunkSize);
            String torn = null;
            while (offset < size) {
                if (size - offset < ClickRecords.FRAME_HEADER_BYTES) {
                    torn = "record header cut short";
                    break;
                }
                int length = in.readInt();
                int checksum = in.readInt();
                if (length <= 0 || length > ClickRecords.MAX_PAYLOAD_BYTES) {
                    torn = "record length " + length + " out of range";
                    break;
                }
                if (size - offset - ClickRecords.FRAME_HEADER_BYTES < length) {
                    torn = "record cut short";
                    break;
                }
                byte[] payload = new byte[length];
                try {
                    in.readFully(payload);
                } catch (EOFException e) {
                    torn = "record cut short";
                    break;
                }
                if (ClickRecords.crc(payload) != checksum) {
                    torn = "checksum mismatch";
                    break;
                }
                Click click;
                try {
                    click = ClickRecords.decode(payload);
                } catch (IllegalArgumentException e) {
                    torn = "undecodable record: " + e.getMessage();
                    break;
                }
                offset += ClickRecords.FRAME_HEADER_BYTES + length;
                records++;
                if (sink != null) {
                    chunk.add(click);
                    if (chunk.size() >= chunkSize) {
                        sink.accept(chunk);
                        chunk = new ArrayList<>(chunkSize);
                    }
                }
            }
            if (sink != null && !chunk.isEmpty()) {
                sink.accept(chunk);
            }
            return new Result(records, offset, size - offset, torn);
        }
    }
}
