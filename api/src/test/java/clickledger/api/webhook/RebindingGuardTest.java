package clickledger.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a host that passed the destination check with a public address must not reach a
 * private one when the HTTP client resolves it again to connect.
 */
class RebindingGuardTest {
    @Test
    void aGuardedHostsPrivateAnswerIsRefusedAndOthersPassUntouched() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress publicAddress = InetAddress.getByName("93.184.215.14");
        Map<String, List<InetAddress>> dns = Map.of(
                "rebound.test", List.of(publicAddress, loopback),
                "steady.test", List.of(publicAddress),
                "database.test", List.of(loopback));
        RebindingGuard.Resolver resolver = new RebindingGuard.Resolver(fake(dns));
        RebindingGuard.guard("Rebound.Test.");
        RebindingGuard.guard("steady.test");

        assertThatThrownBy(() -> resolver.lookupByName("rebound.test", InetAddressResolver.LookupPolicy.of(3)))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("loopback");
        assertThat(resolver.lookupByName("steady.test", InetAddressResolver.LookupPolicy.of(3)))
                .containsExactly(publicAddress);
        // Never passed a check: the api's own private hosts resolve as before.
        assertThat(resolver.lookupByName("database.test", InetAddressResolver.LookupPolicy.of(3)))
                .containsExactly(loopback);
    }

    @Test
    void onlyAHostThatPassedIsGuarded() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<String> passed = new ArrayList<>();
        DestinationGuard guard = new DestinationGuard(false, host -> new InetAddress[] {loopback}, passed::add);

        assertThat(guard.checkHost("internal.test").allowed()).isFalse();
        assertThat(passed).isEmpty();

        DestinationGuard open = new DestinationGuard(
                false, host -> new InetAddress[] {InetAddress.getByName("93.184.215.14")}, passed::add);
        assertThat(open.checkHost("public.test").allowed()).isTrue();
        assertThat(passed).containsExactly("public.test");
    }

    @Test
    void theGuardIsTheResolverTheJvmLoads() {
        assertThat(ServiceLoader.load(InetAddressResolverProvider.class).stream()
                        .map(ServiceLoader.Provider::type))
                .contains(RebindingGuard.class);
    }

    /**
     * The whole path, in a JVM of its own since the guard is JVM-wide: this machine's host name,
     * checked while its DNS said "public" and then resolving to its real, non-public address, gets
     * no request from the webhook sender (Java's HttpClient), while the same server at its literal
     * address does (so the refusal is the guard's). Neither {@code localhost} (the JDK answers it without asking any
     * resolver, and the check refuses it anyway) nor a hosts file ({@code jdk.net.hosts.file}: the
     * JDK then skips resolver providers altogether) can stand in for a rebinding DNS server.
     */
    @Test
    void theHttpClientCannotConnectToAHostThatReboundToAPrivateAddress() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        InetAddress address = InetAddress.getByName(host);
        assertThat(DestinationGuard.refusedRange(address))
                .as("this machine's name %s resolves to a non-public address (it is %s)", host, address)
                .isPresent();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName(),
                        host,
                        address.getHostAddress())
                .redirectErrorStream(true)
                .start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(exited).as(output).isTrue();
        assertThat(output)
                .contains("literal: 200")
                .contains("name: destination_refused")
                .contains("requests received: 1")
                .contains("lookup again: refused");
        assertThat(child.exitValue()).as(output).isZero();
    }

    /** Runs in the child JVM with the host name and its address; prints what happened. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            String host = args[0];
            InetAddress address = InetAddress.getByName(args[1]); // a literal: no lookup
            // Checked while the host's DNS answered a public address: the check passes and guards
            // it. Nothing in this JVM has resolved the name yet, so no cached answer hides it.
            DestinationGuard guard = new DestinationGuard(
                    false, name -> new InetAddress[] {InetAddress.getByName("93.184.215.14")}, RebindingGuard::guard);
            if (!guard.checkHost(host).allowed()) {
                throw new IllegalStateException("the check should have passed");
            }
            AtomicInteger received = new AtomicInteger();
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
            server.createContext("/", exchange -> {
                received.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            int port = server.getAddress().getPort();
            String literal = address instanceof java.net.Inet6Address ? "[" + args[1] + "]" : args[1];
            // The product's own sender, as the worker calls it after the check.
            try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5))) {
                send(sender, "literal", URI.create("http://" + literal + ":" + port + "/hook"));
                send(sender, "name", URI.create("http://" + host + ":" + port + "/hook"));
            }
            System.out.println("requests received: " + received.get());
            // The failed lookup is cached (10 s) like any other: the name stays unusable.
            try {
                System.out.println("lookup again: " + List.of(InetAddress.getAllByName(host)));
            } catch (UnknownHostException e) {
                System.out.println("lookup again: refused");
            }
            server.stop(0);
        }

        private static void send(WebhookSender sender, String label, URI uri) throws InterruptedException {
            Outcome outcome = sender.send(
                    uri,
                    "webhook.test",
                    DeliveryId.newId(Instant.now()),
                    "{}".getBytes(StandardCharsets.UTF_8),
                    List.of(new WebhookSignature.Key("whsec_test")),
                    Instant.now());
            System.out.println(label + ": "
                    + (outcome.statusCode() != null ? outcome.statusCode().toString() : outcome.error()));
        }
    }

    private static InetAddressResolver fake(Map<String, List<InetAddress>> dns) {
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                List<InetAddress> found = dns.get(host);
                if (found == null) {
                    throw new UnknownHostException(host);
                }
                return found.stream();
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                throw new UnknownHostException();
            }
        };
    }
}
