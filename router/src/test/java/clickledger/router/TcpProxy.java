package clickledger.router;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of PostgreSQL that a test can break, without stopping the shared
 * test server:
 *
 * <ul>
 *   <li>{@link #cut()} drops every open connection and refuses new ones (as a stopped PostgreSQL
 *       does), {@link #restore()} lets them through again;
 *   <li>{@link #freezeNextActive(int)} makes the next connections that send anything stop
 *       forwarding, both ways, while their sockets stay open: a half-open connection, or a
 *       server that hangs on one session, as the client sees it. Every other connection, new
 *       ones included, keeps working.
 * </ul>
 */
final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger toFreeze = new AtomicInteger();
    private final AtomicInteger frozen = new AtomicInteger();
    private final AtomicInteger frozenClosedByClient = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean closed;

    /** One proxied connection: the two sockets, and whether it stopped forwarding. */
    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("tcp-proxy").daemon().start(this::acceptLoop);
    }

    /** Parses host and port out of a {@code jdbc:postgresql://host:port/db} URL. */
    static TcpProxy inFrontOf(String jdbcUrl) throws IOException {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        String hostPort = rest.substring(0, rest.indexOf('/'));
        int colon = hostPort.lastIndexOf(':');
        return new TcpProxy(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
    String rewrite(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        return "jdbc:postgresql://127.0.0.1:" + port() + rest.substring(rest.indexOf('/'));
    }

    void cut() {
        refusing = true;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    void restore() {
        refusing = false;
    }

    /**
     * The next {@code connections} connections on which the client sends something hold those
     * bytes, and everything after, instead of forwarding them; nothing the server sends reaches the
     * client either. The client sees a server that never answers.
     */
    void freezeNextActive(int connections) {
        toFreeze.set(connections);
    }

    /** Every connection open now stops forwarding, both ways, at once; new ones still work. */
    void freezeOpen() {
        for (Link link : links) {
            if (!link.frozen) {
                link.frozen = true;
                frozen.incrementAndGet();
            }
        }
    }

    /** Connections frozen so far. */
    int frozen() {
        return frozen.get();
    }

    /** Frozen connections that the client gave up on and closed (an abort, a socket timeout). */
    int frozenClosedByClient() {
        return frozenClosedByClient.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            if (refusing) { // cut() ran while this one connected
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            Thread.ofVirtual().start(() -> pump(link, true));
            Thread.ofVirtual().start(() -> pump(link, false));
        }
    }

    private void pump(Link link, boolean fromClient) {
        Socket from = fromClient ? link.client : link.upstream;
        Socket to = fromClient ? link.upstream : link.client;
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (fromClient && !link.frozen && toFreeze.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    link.frozen = true;
                    frozen.incrementAndGet();
                }
                if (!link.frozen) {
                    out.write(buffer, 0, read);
                }
            }
            if (fromClient && link.frozen) {
                frozenClosedByClient.incrementAndGet();
            }
        } catch (IOException e) {
            if (fromClient && link.frozen && !closed) {
                frozenClosedByClient.incrementAndGet();
            }
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
            links.remove(link);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        cut();
        server.close();
    }
}
