package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The live write path: a batch as one binary {@code COPY} in autocommit, so one round trip and one
 * WAL flush per batch, with no SQL to parse and no array literals to build on either side.
 * {@code make bench} measures it against the {@code insert … from unnest} statement of
 * {@link PostgresClickSink} (docs/PERFORMANCE.md, write ceiling).
 *
 * <p>COPY has no {@code on conflict}, and needs none here: a live batch holds fresh ids only. The
 * one overlap possible is a batch that timed out, was spooled, and is replayed while the slow COPY
 * is still running; then whichever commits second finds the rows there (the replay skips them, the
 * COPY fails on the key), and the visitors were answered from the spool either way.
 */
public final class PostgresCopyClickSink implements ClickSink {
    static final String COPY =
            "copy click (id, ts, link_id, program_id, partner_id, ip_hash, user_agent, referer, landing_url, country,"
                    + " utm_source, utm_medium, utm_campaign, utm_term, utm_content, is_bot, bot_reason, fraud_flag,"
                    + " device, browser, os, referrer_domain) from stdin (format binary)";
    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final short COLUMNS = 22;
    // Binary timestamps count microseconds from 2000-01-01T00:00:00Z.
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;
    private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);

    private static final int BUFFER_BYTES = 256 * 1024;
    // A buffer grown past this by a batch of unusually long clicks is not kept for the next one.
    private static final int KEPT_BUFFER_MAX_BYTES = 4 * 1024 * 1024;

    private final SinkConnections connections;
    // Writers are a few long-lived threads; each keeps its encoding buffer between batches.
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocate(BUFFER_BYTES));

    public PostgresCopyClickSink(DataSource dataSource) {
        this.connections = new SinkConnections(requireNonNull(dataSource, "dataSource is null"));
    }

    @Override
    public void write(List<Click> batch) throws SQLException {
        ByteBuffer data = encode(batch, buffers.get());
        buffers.set(data.capacity() > KEPT_BUFFER_MAX_BYTES ? ByteBuffer.allocate(BUFFER_BYTES) : data);
        Connection connection = connections.open();
        boolean failed = true;
        try {
            connection.setAutoCommit(true);
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            try {
                copy.writeToCopy(data.array(), 0, data.position());
                copy.endCopy();
                failed = false;
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        } finally {
            connections.release(connection, failed);
        }
    }

    @Override
    public void abandon(Thread writer) {
        connections.abort(writer);
    }

    /** The binary COPY stream for {@code batch}, in {@code buffer} (or a larger one), from 0 to its position. */
    static ByteBuffer encode(List<Click> batch, ByteBuffer buffer) {
        ByteBuffer out = buffer.clear();
        out = ensure(out, SIGNATURE.length + 8);
        out.put(SIGNATURE).putInt(0).putInt(0);
        for (Click click : batch) {
            out = ensure(out, 2 + 5 * 20 + 8 + 4 + 64);
            out.putShort(COLUMNS);
            uuid(out, click.id());
            out.putInt(8).putLong(click.epochMillis() * 1_000 - POSTGRES_EPOCH_MICROS);
            uuid(out, click.linkId());
            uuid(out, click.programId());
            uuid(out, click.partnerId());
            byte[] ipHash = click.ipHash();
            if (ipHash == null) {
                out.putInt(-1);
            } else {
                out.putInt(ipHash.length).put(ipHash);
            }
            out = text(out, click.userAgent());
            out = text(out, click.referer());
            out = text(out, click.landingUrl());
            out = text(out, click.country());
            out = text(out, click.utmSource());
            out = text(out, click.utmMedium());
            out = text(out, click.utmCampaign());
            out = text(out, click.utmTerm());
            out = text(out, click.utmContent());
            out = ensure(out, 5);
            out.putInt(1).put((byte) (click.isBot() ? 1 : 0));
            out = text(out, click.botReason());
            out = text(out, click.fraudFlag());
            out = text(out, click.device());
            out = text(out, click.browser());
            out = text(out, click.os());
            out = text(out, click.referrerDomain());
        }
        out = ensure(out, 2);
        out.putShort((short) -1);
        return out;
    }

    private static void uuid(ByteBuffer out, UUID id) {
        out.putInt(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }

    /**
     * UTF-8 straight into the buffer. PostgreSQL text cannot hold NUL, so a hostile header's NUL
     * becomes U+FFFD instead of failing the whole batch; an unpaired surrogate becomes '?', as
     * {@link String#getBytes} would make it.
     */
    private static ByteBuffer text(ByteBuffer out, String value) {
        if (value == null) {
            out = ensure(out, 4);
            out.putInt(-1);
            return out;
        }
        int length = value.length();
        out = ensure(out, 4 + length * 3);
        int lengthAt = out.position();
        out.putInt(0);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c == 0) {
                out.put(REPLACEMENT);
            } else if (c < 0x80) {
                out.put((byte) c);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < length
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, value.charAt(++i));
                out.put((byte) (0xF0 | (codePoint >> 18)))
                        .put((byte) (0x80 | ((codePoint >> 12) & 0x3F)))
                        .put((byte) (0x80 | ((codePoint >> 6) & 0x3F)))
                        .put((byte) (0x80 | (codePoint & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                out.put((byte) '?');
            } else {
                out.put((byte) (0xE0 | (c >> 12)))
                        .put((byte) (0x80 | ((c >> 6) & 0x3F)))
                        .put((byte) (0x80 | (c & 0x3F)));
            }
        }
        out.putInt(lengthAt, out.position() - lengthAt - 4);
        return out;
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

    @Override
    public boolean ping() {
        try (Connection connection = connections.dataSource().getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }
}
