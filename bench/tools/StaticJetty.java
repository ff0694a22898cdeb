import org.eclipse.jetty.server.*;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.http.*;

/**
 * Jetty answering the router's 302 with no click and no database: the ceiling of the HTTP layer
 * alone (decision 0033). Run from the repository root after `make build`:
 * {@code java -cp router/target/router.jar bench/tools/StaticJetty.java PORT SELECTORS}.
 */
public class StaticJetty {
    public static void main(String[] args) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        Server server = new Server(threads);
        server.setDynamic(false);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setHeaderCacheSize(0);
        ServerConnector connector = new ServerConnector(server, -1, Integer.parseInt(args[1]), new HttpConnectionFactory(http));
        connector.setPort(Integer.parseInt(args[0]));
        connector.setHost("127.0.0.1");
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(302);
                HttpFields.Mutable h = response.getHeaders();
                h.put(HttpHeader.CACHE_CONTROL, "no-store");
                h.put(HttpHeader.LOCATION, "https://acme.example/landing?src=aff&cref=01JDQ7ZT9Y8K3M4N5P6Q7R8S9T");
                h.put(HttpHeader.SET_COOKIE, "_cref=01JDQ7ZT9Y8K3M4N5P6Q7R8S9T; Max-Age=7776000; Path=/; SameSite=Lax");
                h.put(HttpHeader.CONTENT_LENGTH, 0L);
                response.write(true, null, callback);
                return true;
            }
        });
        server.start();
        System.out.println("ready");
        server.join();
    }
}
