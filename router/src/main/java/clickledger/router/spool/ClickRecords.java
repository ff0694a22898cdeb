package clickledger.router.spool;

import clickledger.router.click.Click;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The byte form of spooled clicks. A record is framed as {@code [length:int][crc32c:int][payload]}
 * (big-endian), where the CRC covers the payload; the payload starts with a format version. The
 * frame is what lets a reader tell a whole record from a torn or overwritten one: a length out of
 * range, a payload shorter than its length, or a checksum that does not match.
 *
 * <p>Version 2 (issue 19) appends device, browser, os and referrer domain to version 1's texts.
 * Version 1 records, spooled by a router before the upgrade, still decode (those four null), so a
 * spool left behind by the old version replays after the upgrade.
 */
final class ClickRecords {
    static final int FRAME_HEADER_BYTES = 8;
    // A click is at most a few tens of KB (the handler crops every text field); anything larger
    // in a length field is not a length, it is damage.
    static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    private static final byte VERSION = 2;
    private static final int TEXTS_V1 = 11;
    private static final int TEXTS_V2 = 15;
    private static final byte FLAG_BOT = 1;

    private ClickRecords() {}

    /** Appends the framed record for {@code click} to {@code out}, growing it when needed. */
    static ByteBuffer append(ByteBuffer out, Click click) {
        byte[][] texts = {
            utf8(click.userAgent()),
            utf8(click.referer()),
            utf8(click.landingUrl()),
            utf8(click.country()),
            utf8(click.utmSource()),
            utf8(click.utmMedium()),
            utf8(click.utmCampaign()),
            utf8(click.utmTerm()),
            utf8(click.utmContent()),
            utf8(click.botReason()),
            utf8(click.fraudFlag()),
            utf8(click.device()),
            utf8(click.browser()),
            utf8(click.os()),
            utf8(click.referrerDomain())
        };
        byte[] ipHash = click.ipHash();
        int payload = 1 + 1 + 16 * 4 + 8 + 2 + (ipHash == null ? 0 : ipHash.length);
        for (byte[] text : texts) {
            payload += 4 + (text == null ? 0 : text.length);
        }
        out = ensure(out, FRAME_HEADER_BYTES + payload);
        int frameStart = out.position();
        out.putInt(payload).putInt(0);
        int payloadStart = out.position();
        out.put(VERSION);
        out.put(click.isBot() ? FLAG_BOT : 0);
        putUuid(out, click.id());
        out.putLong(click.epochMillis());
        putUuid(out, click.linkId());
        putUuid(out, click.programId());
        putUuid(out, click.partnerId());
        if (ipHash == null) {
            out.putShort((short) -1);
        } else {
            out.putShort((short) ipHash.length).put(ipHash);
        }
        for (byte[] text : texts) {
            if (text == null) {
                out.putInt(-1);
            } else {
                out.putInt(text.length).put(text);
            }
        }
        out.putInt(frameStart + 4, crc(out, payloadStart, out.position() - payloadStart));
        return out;
    }

    static int crc(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(offset, length));
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /**
     * Decodes a payload whose checksum already matched.
     *
     * @throws IllegalArgumentException when it is not a click of a known version
     */
    static Click decode(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            byte version = in.get();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException("unknown spool record version " + version);
            }
            boolean bot = (in.get() & FLAG_BOT) != 0;
            UUID id = uuid(in);
            long millis = in.getLong();
            UUID link = uuid(in);
            UUID program = uuid(in);
            UUID partner = uuid(in);
            short ipLength = in.getShort();
            byte[] ipHash = null;
            if (ipLength >= 0) {
                ipHash = new byte[ipLength];
                in.get(ipHash);
            }
            String[] texts = new String[TEXTS_V2];
            int count = version == 1 ? TEXTS_V1 : TEXTS_V2;
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < -1 || length > in.remaining()) {
                    throw new IllegalArgumentException("text length " + length + " out of range");
                }
                if (length >= 0) {
                    texts[i] = new String(payload, in.position(), length, StandardCharsets.UTF_8);
                    in.position(in.position() + length);
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " unexpected bytes after the click");
            }
            return new Click(
                    id, millis, link, program, partner, ipHash, texts[0], texts[1], texts[2], texts[3], texts[4],
                    texts[5], texts[6], texts[7], texts[8], bot, texts[9], texts[10], texts[11], texts[12], texts[13],
                    texts[14]);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record ends early", e);
        }
    }

    private static ByteBuffer ensure(ByteBuffer out, int needed) {
        if (out.remaining() >= needed) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + needed));
        out.flip();
        bigger.put(out);
        return bigger;
    }

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private static void putUuid(ByteBuffer out, UUID id) {
        out.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }

    private static UUID uuid(ByteBuffer in) {
        return new UUID(in.getLong(), in.getLong());
    }
}
