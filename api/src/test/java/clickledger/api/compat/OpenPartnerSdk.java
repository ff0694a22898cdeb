package clickledger.api.compat;

import clickledger.testkit.Prerequisites;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * OpenPartner's published npm package {@code @openpartner/sdk}, installed from the registry into
 * target/ by the tests themselves (never vendored or copied into the repository), and Node to
 * drive its server client. Without Node or npm, or when the install fails, the tests that need
 * them are skipped with the reason, so a machine with only a JDK still passes {@code make test};
 * under {@code CI=true} they fail instead ({@link Prerequisites}): .ci/run has put Node in place,
 * and a skip would hide that the compatibility was never checked.
 */
final class OpenPartnerSdk {
    static final String PACKAGE = "@openpartner/sdk";
    static final String VERSION = "0.1.0";
    static final Path DIRECTORY = Path.of("target", "openpartner-sdk").toAbsolutePath();
    // The SDK's server client uses the global fetch, which Node has from 18 on.
    private static final int MIN_NODE_MAJOR = 18;
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static String unavailableReason;
    private static boolean ready;

    private OpenPartnerSdk() {}

    private record Run(int exitCode, String stdout, String stderr) {}

    /** Why the SDK cannot be driven here, once known; empty when it is installed and Node can run it. */
    static Optional<String> unavailable() {
        LOCK.lock();
        try {
            if (!ready && unavailableReason == null) {
                unavailableReason = install();
                ready = unavailableReason == null;
            }
            return Optional.ofNullable(unavailableReason);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * The installed package's directory ({@code node_modules/@openpartner/sdk}). Call it from
     * {@code @BeforeEach}: without Node or the package it skips the test with the reason (fails it
     * under CI=true), and surefire lists each test (an abort in {@code @BeforeAll} would hide them).
     */
    static Path require() {
        Optional<String> reason = unavailable();
        Prerequisites.require(reason.isEmpty(), "OpenPartner SDK: " + reason.orElse(""));
        return packageDirectory();
    }

    /** Runs the SDK's server client once per call, in order; one result per call: {@code {value}} or {@code {error}}. */
    static JsonNode drive(List<ObjectNode> calls) {
        ObjectNode input = Json.MAPPER.createObjectNode();
        ArrayNode array = input.putArray("calls");
        calls.forEach(array::add);
        Run run = run(List.of("node", DIRECTORY.resolve("drive.mjs").toString()), input.toString(), RUN_TIMEOUT);
        if (run.exitCode() != 0) {
            throw new AssertionError("node drive.mjs failed (" + run.exitCode() + "): " + run.stderr() + run.stdout());
        }
        try {
            return Json.MAPPER.readTree(run.stdout());
        } catch (IOException e) {
            throw new AssertionError("drive.mjs printed no JSON: " + run.stdout() + run.stderr(), e);
        }
    }

    static ObjectNode call(String op, String apiUrl, String apiKey, String paramsJson) {
        try {
            ObjectNode call = Json.MAPPER
                    .createObjectNode()
                    .put("op", op)
                    .put("apiUrl", apiUrl)
                    .put("apiKey", apiKey);
            call.set("params", Json.MAPPER.readTree(paramsJson));
            return call;
        } catch (IOException e) {
            throw new IllegalArgumentException("params are not JSON: " + paramsJson, e);
        }
    }

    private static Path packageDirectory() {
        return DIRECTORY.resolve("node_modules").resolve(PACKAGE);
    }

    /** Null when ready, else why not. */
    private static String install() {
        String node = version("node");
        if (node == null) {
            return "node is not installed (Debian: apt-get install -y nodejs npm, as .ci/run does)";
        }
        if (major(node) < MIN_NODE_MAJOR) {
            return "node " + node + " is older than " + MIN_NODE_MAJOR + ", which the SDK needs for fetch";
        }
        if (version("npm") == null) {
            return "npm is not installed (Debian: apt-get install -y npm, as .ci/run does)";
        }
        try {
            Files.createDirectories(DIRECTORY);
            Files.writeString(DIRECTORY.resolve("drive.mjs"), DRIVER);
            if (!installedVersionIs(VERSION)) {
                // A package.json of its own makes this directory npm's prefix, whatever lies above it.
                Files.writeString(
                        DIRECTORY.resolve("package.json"), "{\"name\":\"openpartner-sdk-test\",\"private\":true}\n");
                Run run = run(
                        List.of(
                                "npm",
                                "install",
                                "--no-save",
                                "--no-audit",
                                "--no-fund",
                                "--prefix",
                                DIRECTORY.toString(),
                                PACKAGE + "@" + VERSION),
                        "",
                        INSTALL_TIMEOUT);
                if (run.exitCode() != 0 || !installedVersionIs(VERSION)) {
                    return "npm install " + PACKAGE + "@" + VERSION + " failed (" + run.exitCode() + "): "
                            + run.stderr().strip();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean installedVersionIs(String version) throws IOException {
        Path manifest = packageDirectory().resolve("package.json");
        return Files.isRegularFile(manifest)
                && version.equals(
                        Json.MAPPER.readTree(manifest.toFile()).path("version").asText());
    }

    private static String version(String tool) {
        try {
            Run run = run(List.of(tool, "--version"), "", Duration.ofSeconds(30));
            return run.exitCode() == 0 ? run.stdout().strip() : null;
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static int major(String version) {
        String digits = version.startsWith("v") ? version.substring(1) : version;
        int dot = digits.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? digits : digits.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Run run(List<String> command, String stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(DIRECTORY.getParent().toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst(), e);
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Run(process.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Reads {"calls": [{op, apiUrl, apiKey, params, headers?}]} on stdin and prints one result per
    // call. Everything goes through the SDK's own client; headers (such as Idempotency-Key) ride on
    // its documented fetch option, since its methods take none.
    private static final String DRIVER =
            """
            import { OpenPartnerServer, OpenPartnerError } from '@openpartner/sdk/server';

            let input = '';
            for await (const chunk of process.stdin) input += chunk;
            const results = [];
            for (const call of JSON.parse(input).calls) {
              const config = { apiUrl: call.apiUrl, apiKey: call.apiKey };
              if (call.headers) {
                config.fetch = (url, init) => {
                  const headers = new Headers(init.headers);
                  for (const [name, value] of Object.entries(call.headers)) headers.set(name, value);
                  return fetch(url, { ...init, headers });
                };
              }
              const client = new OpenPartnerServer(config);
              try {
                const value = call.op === 'identify'
                  ? await client.identify(call.params)
                  : await client.trackEvent(call.params);
                results.push({ value });
              } catch (err) {
                if (!(err instanceof OpenPartnerError)) throw err;
                results.push({ error: {
                  name: err.name, message: err.message, status: err.status,
                  code: err.code ?? null, detail: err.detail ?? null } });
              }
            }
            process.stdout.write(JSON.stringify(results));
            """;
}
