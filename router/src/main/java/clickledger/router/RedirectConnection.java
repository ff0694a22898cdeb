package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.router.click.ClickWriter;
import clickledger.router.click.ClientResolver;
import clickledger.router.redirect.Answer;
import clickledger.router.redirect.RedirectHandler;
import clickledger.router.redirect.Visit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.DateGenerator;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The router's own HTTP/1.1 for the one request it exists for: a plain {@code GET} or {@code HEAD}
 * of a redirect path. Jetty's HTTP layer (its parser, channel, response and generator) cost about
 * 3.5 µs of CPU per request here, as much as everything else the router does on its own thread;
 * this connection reads the head, answers it with bytes it writes itself, and keeps Jetty's
 * selector, endpoints and buffers (decision 0037).
 *
 * <p>Anything that is not plainly such a request goes to Jetty, bytes and all, for the rest of the
 * connection's life: another path (/healthz, /metrics…), another method, a body, a percent sign,
 * a dot segment or an unusual character in the path, characters outside visible ASCII in any
 * header, a folded or malformed header line, a second {@code Host}, {@code Expect}, {@code Upgrade},
 * a head over {@link #HEAD_MAX} bytes. So every rule Jetty applies (its 400s, 431s, URI compliance)
 * still applies to everything this connection does not answer, and what it answers is only what
 * Jetty would have answered the same way.
 *
 * <p>One request is in flight at a time, as with Jetty: the next is not read until the answer is
 * out. The answer usually leaves from the selector thread that read the request and made its click
 * durable (decision 0038), else from a writer or the watchdog; that thread then reads the
 * connection's next request itself, once its whole batch is answered
 * ({@link ClickWriter#runAfterBatch}), as Jetty's connections do through {@link AnswerInlineThreadPool}.
 */
final class RedirectConnection extends AbstractConnection.NonBlocking implements Connection.UpgradeFrom {
    /** A larger head goes to Jetty, which takes up to 64 KB; browsers send 1-8 KB. */
    static final int HEAD_MAX = 8 * 1024;

    private static final int HEADERS_MAX = 100;
    // Who reads next, handed over between the reading thread and whoever writes the answer: the
    // reading thread goes on when the answer was out before the handler returned (ROUTING → IDLE),
    // the answering thread when it was not (WAITING → IDLE).
    private static final int IDLE = 0;
    private static final int ROUTING = 1;
    private static final int WAITING = 2;
    private static final byte[] CRLF = {'\r', '\n'};
    // Visible ASCII a path may hold here: letters, digits, - . _ ~ and /. Anything else (a percent
    // sign, path parameters, sub-delimiters) is Jetty's to judge.
    private static final boolean[] PATH = table("-._~/");
    // A query's characters by RFC 3986: unreserved, sub-delims, : @ / ? and percent escapes.
    private static final boolean[] QUERY = table("-._~!$&'()*+,;=:@/?%");
    private static final boolean[] HOST = table("-.:[]");
    private static final boolean[] TOKEN = table("!#$%&'*+-.^_`|~");
    private static volatile DateLine date = new DateLine(0, new byte[0]);

    private final Connector connector;
    private final ConnectionFactory http;
    private final RedirectHandler redirects;
    private final ByteBufferPool pool;
    private final Counter handedOver;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    // Held only while it has bytes, or while a read is under way; owned by the reading thread.
    private RetainableByteBuffer buffer;

    private record DateLine(long second, byte[] line) {}

    /** The connector's first factory: every connection starts here; {@code http} takes over what is not plain. */
    static final class Factory extends AbstractConnectionFactory {
        private final ConnectionFactory http;
        private final RedirectHandler redirects;
        private final Counter handedOver;

        Factory(ConnectionFactory http, RedirectHandler redirects, MeterRegistry registry) {
            super("redirects");
            this.http = requireNonNull(http, "http is null");
            this.redirects = requireNonNull(redirects, "redirects is null");
            this.handedOver = Counter.builder("clickledger_http_handed_to_jetty_total")
                    .description("connections whose request was not a plain redirect, handed to Jetty's HTTP/1.1")
                    .register(registry);
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            return configure(
                    new RedirectConnection(endPoint, connector, http, redirects, handedOver), connector, endPoint);
        }
    }

    RedirectConnection(
            EndPoint endPoint,
            Connector connector,
            ConnectionFactory http,
            RedirectHandler redirects,
            Counter handedOver) {
        super(endPoint, connector.getExecutor());
        this.handedOver = handedOver;
        this.connector = connector;
        this.http = requireNonNull(http, "http is null");
        this.redirects = requireNonNull(redirects, "redirects is null");
        this.pool = connector.getByteBufferPool();
    }

    @Override
    public void onOpen() {
        super.onOpen();
        fillInterested();
    }

    @Override
    public void onFillable() {
        read();
    }

    /**
     * Reads and answers requests until one waits for its click, the socket has nothing more, or the
     * connection goes to Jetty.
     */
    private void read() {
        EndPoint endPoint = getEndPoint();
        try {
            while (true) {
                if (buffer == null) {
                    buffer = pool.acquire(HEAD_MAX, false);
                }
                ByteBuffer bytes = buffer.getByteBuffer();
                int end = headEnd(bytes);
                if (end < 0) {
                    if (bytes.remaining() >= HEAD_MAX) {
                        toJetty();
                        return;
                    }
                    if (BufferUtil.space(bytes) == 0) {
                        BufferUtil.compact(bytes);
                    }
                    int filled = endPoint.fill(bytes);
                    if (filled > 0) {
                        continue;
                    }
                    if (filled < 0) {
                        release();
                        endPoint.close();
                    } else {
                        if (!bytes.hasRemaining()) {
                            release();
                        }
                        fillInterested();
                    }
                    return;
                }
                Plain request = parse(bytes, end);
                if (request == null) {
                    toJetty();
                    return;
                }
                bytes.position(end);
                if (!bytes.hasRemaining()) {
                    release();
                }
                state.set(ROUTING);
                redirects.route(request, request, request.host, request.path);
                if (state.compareAndSet(ROUTING, WAITING)) {
                    return; // whoever writes the answer reads on
                }
                if (!endPoint.isOpen()) {
                    release();
                    return;
                }
            }
        } catch (Throwable e) {
            release();
            endPoint.close(e);
        }
    }

    /** The answer is out: the reading thread goes on, or this one reads on for it. */
    private void answered(Plain request) {
        if (request.close) {
            getEndPoint().close();
        }
        if (state.compareAndSet(ROUTING, IDLE)) {
            return;
        }
        state.set(IDLE);
        if (request.close) {
            release();
            return;
        }
        if (!ClickWriter.runAfterBatch(this::read)) {
            read();
        }
    }

    private void toJetty() {
        handedOver.increment();
        getEndPoint().upgrade(http.newConnection(connector, getEndPoint()));
    }

    /** The bytes read and not answered, for Jetty's connection to start from. */
    @Override
    public ByteBuffer onUpgradeFrom() {
        if (buffer == null) {
            return null;
        }
        ByteBuffer unread = BufferUtil.copy(buffer.getByteBuffer());
        release();
        return unread;
    }

    private void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    // The index just past the head's blank line, or -1 when the head is not complete yet.
    private static int headEnd(ByteBuffer bytes) {
        byte[] a = bytes.array();
        int offset = bytes.arrayOffset();
        for (int i = offset + bytes.position() + 3, limit = offset + bytes.limit(); i < limit; i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1 - offset;
            }
        }
        return -1;
    }

    /**
     * The request, when it is a plain GET or HEAD of a redirect path in HTTP/1.1 or 1.0 with a head
     * of visible ASCII; null for anything else (Jetty's). Every loop stops at the head's final CRLF:
     * a CR is in none of the tables.
     */
    private Plain parse(ByteBuffer bytes, int end) {
        long beginNanos = System.nanoTime();
        byte[] a = bytes.array();
        int offset = bytes.arrayOffset();
        int p = offset + bytes.position();
        boolean head;
        if (starts(a, p, "GET /")) {
            head = false;
            p += 4;
        } else if (starts(a, p, "HEAD /")) {
            head = true;
            p += 5;
        } else {
            return null;
        }
        int pathStart = p;
        byte previous = 0;
        while (a[p] != ' ' && a[p] != '?') {
            byte c = a[p];
            if (!in(PATH, c) || (c == '.' || c == '/') && previous == '/') {
                return null; // a dot segment or an empty one is Jetty's to normalise or refuse
            }
            previous = c;
            p++;
        }
        String path = ascii(a, pathStart, p);
        String query = null;
        if (a[p] == '?') {
            int queryStart = ++p;
            while (a[p] != ' ') {
                if (!in(QUERY, a[p])) {
                    return null;
                }
                p++;
            }
            query = ascii(a, queryStart, p);
        }
        p++;
        boolean http10;
        if (starts(a, p, "HTTP/1.1\r\n")) {
            http10 = false;
        } else if (starts(a, p, "HTTP/1.0\r\n")) {
            http10 = true;
        } else {
            return null;
        }
        p += 10;
        Plain request = new Plain(head, query);
        boolean closeAsked = false;
        boolean keepAliveAsked = false;
        int headers = 0;
        while (a[p] != '\r') {
            int nameStart = p;
            while (in(TOKEN, a[p])) {
                p++;
            }
            if (p == nameStart || a[p] != ':' || ++headers > HEADERS_MAX) {
                return null;
            }
            int nameEnd = p++;
            while (a[p] == ' ' || a[p] == '\t') {
                p++;
            }
            int valueStart = p;
            while (a[p] != '\r') {
                byte c = a[p];
                if ((c < 0x20 && c != '\t') || c == 0x7F || c < 0) {
                    return null;
                }
                p++;
            }
            if (a[p + 1] != '\n') {
                return null;
            }
            int valueEnd = p;
            while (valueEnd > valueStart && (a[valueEnd - 1] == ' ' || a[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            p += 2;
            switch (nameEnd - nameStart) {
                case 4 -> {
                    if (named(a, nameStart, "host")) {
                        if (request.host != null || !hostLike(a, valueStart, valueEnd)) {
                            return null;
                        }
                        request.host = ascii(a, valueStart, valueEnd);
                    }
                }
                case 10 -> {
                    if (named(a, nameStart, "user-agent")) {
                        request.userAgent = first(request.userAgent, a, valueStart, valueEnd);
                    } else if (named(a, nameStart, "connection")) {
                        if (named(a, valueStart, valueEnd - valueStart, "close")) {
                            closeAsked = true;
                        } else if (named(a, valueStart, valueEnd - valueStart, "keep-alive")) {
                            keepAliveAsked = true;
                        } else {
                            return null;
                        }
                    }
                }
                case 7 -> {
                    if (named(a, nameStart, "referer")) {
                        request.referer = first(request.referer, a, valueStart, valueEnd);
                    } else if (named(a, nameStart, "upgrade")) {
                        return null;
                    }
                }
                case 12 -> {
                    if (named(a, nameStart, "x-request-id")) {
                        request.requestId = first(request.requestId, a, valueStart, valueEnd);
                    } else if (named(a, nameStart, "cf-ipcountry")) {
                        request.country = first(request.country, a, valueStart, valueEnd);
                    }
                }
                case 15 -> {
                    if (named(a, nameStart, "x-forwarded-for")) {
                        if (request.forwardedFor == null) {
                            request.forwardedFor = new ArrayList<>(2);
                        }
                        request.forwardedFor.add(ascii(a, valueStart, valueEnd));
                    }
                }
                case 17 -> {
                    if (named(a, nameStart, "x-forwarded-proto")) {
                        request.forwardedProto = first(request.forwardedProto, a, valueStart, valueEnd);
                    } else if (named(a, nameStart, "transfer-encoding")) {
                        return null;
                    }
                }
                case 14 -> {
                    if (named(a, nameStart, "content-length")
                            && !(valueEnd - valueStart == 1 && a[valueStart] == '0')) {
                        return null;
                    }
                    if (named(a, nameStart, "http2-settings")) {
                        return null;
                    }
                }
                case 6 -> {
                    if (named(a, nameStart, "expect")) {
                        return null;
                    }
                }
                default -> {}
            }
        }
        if (p + 2 != offset + end) {
            return null; // a stray CR ended the header lines before the blank line: not plain
        }
        if (request.host == null && !http10) {
            return null; // Jetty's 400
        }
        if (RouterHandler.servicePath(path)) {
            return null;
        }
        request.path = path;
        request.close = closeAsked || http10 && !keepAliveAsked;
        request.http10KeepAlive = http10 && !request.close;
        request.beginNanos = beginNanos;
        return request;
    }

    private static String first(String current, byte[] a, int from, int to) {
        return current != null ? current : ascii(a, from, to);
    }

    private static boolean hostLike(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = a[i];
            if (c == '/' || !in(HOST, c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean in(boolean[] table, byte c) {
        return c >= 0 && table[c];
    }

    private static boolean[] table(String punctuation) {
        boolean[] table = new boolean[128];
        for (char c = '0'; c <= '9'; c++) {
            table[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            table[c] = true;
            table[Character.toUpperCase(c)] = true;
        }
        for (char c : punctuation.toCharArray()) {
            table[c] = true;
        }
        return table;
    }

    private static boolean starts(byte[] a, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (a[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // The bytes at {@code at} are {@code lower} ignoring ASCII case (lower is in lower case).
    private static boolean named(byte[] a, int at, String lower) {
        return named(a, at, lower.length(), lower);
    }

    private static boolean named(byte[] a, int at, int length, String lower) {
        if (length != lower.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int c = a[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] a, int from, int to) {
        return new String(a, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** One plain request: what the redirect reads, and how its answer is written. */
    private final class Plain implements Visit, Answer {
        final boolean head;
        final String query;
        String host;
        String path;
        String userAgent;
        String referer;
        String requestId;
        List<String> forwardedFor;
        String forwardedProto;
        String country;
        boolean close;
        boolean http10KeepAlive;
        long beginNanos;

        Plain(boolean head, String query) {
            this.head = head;
            this.query = query;
        }

        @Override
        public String method() {
            return head ? "HEAD" : "GET";
        }

        @Override
        public String query() {
            return query;
        }

        @Override
        public String userAgent() {
            return userAgent;
        }

        @Override
        public String referer() {
            return referer;
        }

        @Override
        public ClientResolver.Client client(ClientResolver clients) {
            SocketAddress address = getEndPoint().getRemoteSocketAddress();
            return clients.resolve(
                    address instanceof InetSocketAddress inet ? inet.getAddress() : (InetAddress) null,
                    false,
                    forwardedFor == null ? List.of() : forwardedFor,
                    forwardedProto,
                    country);
        }

        @Override
        public long beginNanos() {
            return beginNanos;
        }

        @Override
        public void page(int status, String contentType, ByteBuffer body, String header, String value) {
            Head out = start(status, 256 + contentType.length() + (value == null ? 0 : value.length()));
            out.header("Content-Type", contentType);
            if (header != null) {
                out.header(header, value);
            }
            ByteBuffer answer = out.end(body.remaining());
            if (head) {
                write(null, answer);
            } else {
                write(null, answer, body);
            }
        }

        @Override
        public void found(String location, String cookie, Runnable written) {
            Head out = start(HttpStatus.FOUND_302, 256 + location.length() + (cookie == null ? 0 : cookie.length()));
            out.header("Location", location);
            if (cookie != null) {
                out.header("Set-Cookie", cookie);
            }
            write(written, out.end(0));
        }

        private Head start(int status, int size) {
            Head out = new Head(size + (requestId == null ? 16 : requestId.length()));
            out.text("HTTP/1.1 ").text(Integer.toString(status)).text(" ");
            out.text(HttpStatus.getMessage(status)).bytes(CRLF);
            out.bytes(dateLine());
            out.header(RequestIds.HEADER, RequestIds.acceptOrCreate(requestId));
            out.header("Cache-Control", "no-store");
            return out;
        }

        private void write(Runnable written, ByteBuffer... buffers) {
            getEndPoint()
                    .write(
                            new Callback() {
                                @Override
                                public void succeeded() {
                                    if (written != null) {
                                        written.run();
                                    }
                                    answered(Plain.this);
                                }

                                @Override
                                public void failed(Throwable cause) {
                                    getEndPoint().close(cause);
                                    answered(Plain.this);
                                }

                                @Override
                                public InvocationType getInvocationType() {
                                    return InvocationType.NON_BLOCKING;
                                }
                            },
                            buffers);
        }

        /** An answer's head, written into one array. */
        private final class Head {
            private byte[] out;
            private int length;

            Head(int size) {
                out = new byte[size];
            }

            Head bytes(byte[] bytes) {
                room(bytes.length);
                System.arraycopy(bytes, 0, out, length, bytes.length);
                length += bytes.length;
                return this;
            }

            // As Jetty writes a header value: a control character (but tab) or one past Latin-1
            // becomes a space, so no value can end the line.
            Head text(String text) {
                int n = text.length();
                room(n);
                for (int i = 0; i < n; i++) {
                    char c = text.charAt(i);
                    out[length++] = c > 0xFF || (c < 0x20 && c != '\t') ? (byte) ' ' : (byte) c;
                }
                return this;
            }

            Head header(String name, String value) {
                return text(name).text(": ").text(value).bytes(CRLF);
            }

            ByteBuffer end(int contentLength) {
                header("Content-Length", Integer.toString(contentLength));
                if (close) {
                    header("Connection", "close");
                } else if (http10KeepAlive) {
                    header("Connection", "keep-alive");
                }
                bytes(CRLF);
                return ByteBuffer.wrap(out, 0, length);
            }

            private void room(int more) {
                if (length + more > out.length) {
                    out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, length + more));
                }
            }
        }
    }

    // "Date: …\r\n" for this second, made once a second.
    private static byte[] dateLine() {
        long now = System.currentTimeMillis();
        DateLine line = date;
        if (line.second() != now / 1000) {
            line = new DateLine(
                    now / 1000,
                    ("Date: " + DateGenerator.formatDate(now) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            date = line;
        }
        return line.line();
    }
}
