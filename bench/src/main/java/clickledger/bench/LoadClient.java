package clickledger.bench;

import clickledger.common.id.Ulid;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A closed-loop HTTP/1.1 keep-alive load client of our own, for what wrk cannot tell: it keeps
 * {@code connections} sockets busy (10,000 is fine: one selector per thread, no thread per
 * connection), and records the {@code cref} of every 302 it receives, so {@link Verify} can check
 * afterwards that each one is in PostgreSQL exactly once. It counts every socket error and every
 * request unanswered within the timeout; after a dropped connection it reconnects (with a short
 * pause), which is what lets one run span a router restart in the crash drill.
 *
 * <p>Only loopback targets are accepted: this is a load generator.
 */
final class LoadClient {
    private static final long RECONNECT_PAUSE_NANOS = Duration.ofMillis(100).toNanos();

    record Options(
            String host,
            int port,
            List<String> paths,
            int connections,
            Duration duration,
            int threads,
            Duration timeout,
            int connectBurst,
            String userAgent,
            Path crefsFile) {}

    private final Options options;

    LoadClient(Options options) {
        this.options = options;
        if (!options.host().equals("127.0.0.1") && !options.host().equals("localhost")) {
            throw new IllegalArgumentException("load tests only target loopback (127.0.0.1), not " + options.host());
        }
    }

    static Map<String, Object> run(Args args) throws Exception {
        List<String> paths =
                new ArrayList<>(Arrays.asList(args.string("paths", "/r/bench").split(",")));
        int pathCount = args.integer("path-count", 0);
        if (pathCount > 0) {
            // --paths /r/bench- --path-count 100: /r/bench-1 … /r/bench-100, picked at random per request
            String prefix = paths.getFirst();
            paths.clear();
            for (int i = 1; i <= pathCount; i++) {
                paths.add(prefix + i);
            }
        }
        Options options = new Options(
                args.string("host", "127.0.0.1"),
                args.integer("port", 4701),
                paths,
                args.integer("connections", 64),
                args.duration("duration", Duration.ofSeconds(10)),
                args.integer("threads", 1),
                args.duration("timeout", Duration.ofSeconds(10)),
                args.integer("connect-burst", 512),
                args.string(
                        "user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36 clickledger-bench"),
                args.string("crefs", "").isEmpty() ? null : Path.of(args.string("crefs")));
        return new LoadClient(options).run();
    }

    Map<String, Object> run() throws Exception {
        int threads = Math.max(1, Math.min(options.threads(), options.connections()));
        Worker[] workers = new Worker[threads];
        Thread[] running = new Thread[threads];
        long start = System.nanoTime();
        long deadline = start + options.duration().toNanos();
        for (int i = 0; i < threads; i++) {
            int share = options.connections() / threads + (i < options.connections() % threads ? 1 : 0);
            workers[i] = new Worker(share, deadline);
            running[i] = Thread.ofPlatform().name("load-" + i).start(workers[i]);
        }
        for (Thread thread : running) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Latencies latencies = new Latencies();
        long completed = 0;
        long redirects = 0;
        long withCref = 0;
        long connectErrors = 0;
        long readErrors = 0;
        long timeouts = 0;
        long maxOpen = 0;
        Map<Integer, Long> statuses = new java.util.TreeMap<>();
        for (Worker worker : workers) {
            if (worker.failure != null) {
                throw new IllegalStateException("load worker failed", worker.failure);
            }
            latencies.addAll(worker.latencies);
            completed += worker.completed;
            redirects += worker.statuses.getOrDefault(302, 0L);
            withCref += worker.crefCount;
            connectErrors += worker.connectErrors;
            readErrors += worker.readErrors;
            timeouts += worker.timeouts;
            maxOpen += worker.maxOpen;
            worker.statuses.forEach((status, count) -> statuses.merge(status, count, Long::sum));
        }
        if (options.crefsFile() != null) {
            try (BufferedWriter out = Files.newBufferedWriter(options.crefsFile(), StandardCharsets.US_ASCII)) {
                for (Worker worker : workers) {
                    for (int i = 0; i < worker.crefCount; i++) {
                        out.write(Ulid.encode(new UUID(worker.crefHigh[i], worker.crefLow[i])));
                        out.write('\n');
                    }
                }
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", options.connections());
        result.put("maxOpenConnections", maxOpen);
        result.put("seconds", Math.round(seconds * 100) / 100.0);
        result.put("requests", completed);
        result.put("requestsPerSecond", Math.round(completed / seconds));
        result.put("redirects", redirects);
        result.put("crefs", withCref);
        // What the report calls redirects/s: only a 302 that carries a cref is a redirect done.
        result.put("crefsPerSecond", Math.round(withCref / seconds));
        // Every other answer is a failure (a 503, a 302 without a cref, anything else).
        result.put("notARedirectWithCref", completed - withCref);
        result.put("statuses", statuses);
        result.put("connectErrors", connectErrors);
        result.put("readErrors", readErrors);
        result.put("timeouts", timeouts);
        result.put("p50Ms", latencies.percentileMillis(0.50));
        result.put("p90Ms", latencies.percentileMillis(0.90));
        result.put("p99Ms", latencies.percentileMillis(0.99));
        result.put("p999Ms", latencies.percentileMillis(0.999));
        result.put("maxMs", latencies.percentileMillis(1.0));
        return result;
    }

    /** One selector thread driving its share of the connections. */
    private final class Worker implements Runnable {
        private final int target;
        private final long deadline;
        private final Latencies latencies = new Latencies();
        private final Map<Integer, Long> statuses = new LinkedHashMap<>();
        private final List<Connection> connections = new ArrayList<>();
        private final byte[][] requests;
        private long[] crefHigh = new long[1 << 14];
        private long[] crefLow = new long[1 << 14];
        private int crefCount;
        private long completed;
        private long connectErrors;
        private long readErrors;
        private long timeouts;
        private long maxOpen;
        private Throwable failure;
        private Selector selector;

        Worker(int target, long deadline) {
            this.target = target;
            this.deadline = deadline;
            this.requests = new byte[options.paths().size()][];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = ("GET " + options.paths().get(i) + " HTTP/1.1\r\nHost: " + options.host() + ":"
                                + options.port() + "\r\nUser-Agent: " + options.userAgent()
                                + "\r\nAccept: */*\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }

        @Override
        public void run() {
            try (Selector opened = Selector.open()) {
                selector = opened;
                loop();
            } catch (Throwable e) {
                failure = e;
            } finally {
                for (Connection connection : connections) {
                    connection.close();
                }
            }
        }

        private void loop() throws IOException {
            for (int i = 0; i < target; i++) {
                connections.add(new Connection());
            }
            long drainUntil = deadline + options.timeout().toNanos();
            long nextHousekeeping = 0;
            while (true) {
                long now = System.nanoTime();
                if (now >= nextHousekeeping) {
                    housekeeping(now);
                    nextHousekeeping = now + 20_000_000L;
                }
                if (now >= deadline && noneBusy()) {
                    return;
                }
                if (now >= drainUntil) {
                    return;
                }
                selector.select(10);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Connection connection = (Connection) key.attachment();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isConnectable()) {
                            connection.finishConnect();
                        } else {
                            if (key.isWritable()) {
                                connection.flush();
                            }
                            if (key.isValid() && key.isReadable()) {
                                connection.read();
                            }
                        }
                    } catch (IOException e) {
                        connection.failed(e, System.nanoTime());
                    }
                }
            }
        }

        private boolean noneBusy() {
            for (Connection connection : connections) {
                if (connection.state == State.CONNECTING || connection.awaiting) {
                    return false;
                }
            }
            return true;
        }

        /** Opens connections (a burst at a time, so the accept queue is never flooded) and expires requests. */
        private void housekeeping(long now) {
            int connecting = 0;
            int open = 0;
            for (Connection connection : connections) {
                if (connection.state == State.CONNECTING) {
                    connecting++;
                }
                if (connection.state == State.OPEN) {
                    open++;
                }
                if (connection.awaiting
                        && now - connection.sentAt > options.timeout().toNanos()) {
                    timeouts++;
                    connection.awaiting = false;
                    connection.close();
                    connection.retryAt = now + RECONNECT_PAUSE_NANOS;
                }
            }
            maxOpen = Math.max(maxOpen, open);
            if (now >= deadline) {
                return;
            }
            for (Connection connection : connections) {
                if (connecting >= options.connectBurst()) {
                    break;
                }
                if (connection.state == State.CLOSED && now >= connection.retryAt) {
                    connection.connect(now);
                    connecting++;
                }
            }
        }

        private void recordCref(UUID cref) {
            if (crefCount == crefHigh.length) {
                crefHigh = Arrays.copyOf(crefHigh, crefCount * 2);
                crefLow = Arrays.copyOf(crefLow, crefCount * 2);
            }
            crefHigh[crefCount] = cref.getMostSignificantBits();
            crefLow[crefCount] = cref.getLeastSignificantBits();
            crefCount++;
        }

        private enum State {
            CLOSED,
            CONNECTING,
            OPEN
        }

        private final class Connection {
            private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            private ByteBuffer out;
            private SocketChannel channel;
            private SelectionKey key;
            private State state = State.CLOSED;
            private boolean awaiting;
            private long sentAt;
            private long retryAt;

            void connect(long now) {
                try {
                    channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    state = State.CONNECTING;
                    sentAt = now;
                    if (channel.connect(new InetSocketAddress(options.host(), options.port()))) {
                        key = channel.register(selector, 0, this);
                        opened();
                    } else {
                        key = channel.register(selector, SelectionKey.OP_CONNECT, this);
                    }
                } catch (IOException e) {
                    connectErrors++;
                    close();
                    retryAt = now + RECONNECT_PAUSE_NANOS;
                }
            }

            void finishConnect() throws IOException {
                try {
                    channel.finishConnect();
                } catch (IOException e) {
                    connectErrors++;
                    close();
                    retryAt = System.nanoTime() + RECONNECT_PAUSE_NANOS;
                    return;
                }
                opened();
            }

            private void opened() throws IOException {
                state = State.OPEN;
                send();
            }

            private void send() throws IOException {
                if (System.nanoTime() >= deadline) {
                    close();
                    return;
                }
                byte[] request = requests.length == 1
                        ? requests[0]
                        : requests[ThreadLocalRandom.current().nextInt(requests.length)];
                out = ByteBuffer.wrap(request);
                in.clear();
                awaiting = true;
                sentAt = System.nanoTime();
                flush();
            }

            void flush() throws IOException {
                channel.write(out);
                key.interestOps(
                        out.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
            }

            void read() throws IOException {
                int read = channel.read(in);
                if (read < 0) {
                    if (awaiting) {
                        readErrors++;
                    }
                    awaiting = false;
                    close();
                    retryAt = System.nanoTime() + RECONNECT_PAUSE_NANOS;
                    return;
                }
                if (!awaiting) {
                    in.clear();
                    return;
                }
                int headerEnd = headerEnd();
                if (headerEnd < 0) {
                    if (!in.hasRemaining()) {
                        throw new IOException("response header larger than " + in.capacity() + " bytes");
                    }
                    return;
                }
                Response response = parse(headerEnd);
                if (in.position() < headerEnd + response.contentLength) {
                    if (headerEnd + response.contentLength > in.capacity()) {
                        throw new IOException("response body larger than the buffer");
                    }
                    return;
                }
                long micros = (System.nanoTime() - sentAt) / 1_000;
                awaiting = false;
                completed++;
                latencies.add(micros);
                statuses.merge(response.status, 1L, Long::sum);
                if (response.cref != null) {
                    recordCref(response.cref);
                }
                if (response.close) {
                    close();
                    return;
                }
                send();
            }

            private int headerEnd() {
                byte[] bytes = in.array();
                for (int i = 3; i < in.position(); i++) {
                    if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                        return i + 1;
                    }
                }
                return -1;
            }

            private Response parse(int headerEnd) throws IOException {
                String head = new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
                if (!head.startsWith("HTTP/1.") || head.length() < 12) {
                    throw new IOException(
                            "not an HTTP response: " + head.lines().findFirst().orElse(""));
                }
                int status = Integer.parseInt(head.substring(9, 12));
                int contentLength = 0;
                UUID cref = null;
                boolean close = false;
                for (String line : head.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    switch (name) {
                        case "content-length" -> contentLength = Integer.parseInt(value);
                        case "connection" -> close = value.equalsIgnoreCase("close");
                        case "location" -> {
                            int at = value.indexOf("cref=");
                            if (at >= 0 && value.length() >= at + 31) {
                                Optional<UUID> parsed = Ulid.parse(value.substring(at + 5, at + 31));
                                cref = parsed.orElse(null);
                            }
                        }
                        default -> {}
                    }
                }
                return new Response(status, contentLength, cref, close);
            }

            void failed(IOException e, long now) {
                if (state == State.CONNECTING) {
                    connectErrors++;
                } else {
                    readErrors++;
                }
                awaiting = false;
                close();
                retryAt = now + RECONNECT_PAUSE_NANOS;
            }

            void close() {
                state = State.CLOSED;
                if (key != null) {
                    key.cancel();
                    key = null;
                }
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    channel = null;
                }
            }
        }
    }

    private record Response(int status, int contentLength, UUID cref, boolean close) {}
}
