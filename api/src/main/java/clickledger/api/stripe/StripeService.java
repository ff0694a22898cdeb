package clickledger.api.stripe;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.event.EventService;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.program.ProgramId;
import clickledger.api.program.ProgramRepository;
import clickledger.api.secret.SecretBox;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stripe integration of a program: connecting it (the endpoint's signing secret, sealed),
 * receiving Stripe's webhook deliveries, the list of events received, and "send test".
 *
 * <p>A delivery is verified before anything is read from it, then stored raw and derived in one
 * transaction under a per-program lock: Stripe retries a delivery until it gets a 2xx, so a
 * failure before the commit loses nothing, and the lock makes "is the payment this refund is
 * about recorded yet?" a question with one answer (else a refund committing alongside its invoice
 * could be held with nobody left to replay it).
 */
public final class StripeService {
    private static final Logger LOG = LoggerFactory.getLogger(StripeService.class);
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(10);

    private final DSLContext dsl;
    private final Clock clock;
    private final SecretBox secrets;
    private final EventService.EventListener listener;
    private final String publicApiUrl;
    private final Optional<String> compatProgram;
    private final Map<StripeOutcome, Counter> received = new EnumMap<>(StripeOutcome.class);
    private final Counter rejected;
    private final HttpClient client;

    /**
     * @param compatProgram COMPAT_DEFAULT_PROGRAM: the program OpenPartner's {@code /webhooks/stripe} records into
     */
    public StripeService(
            DSLContext dsl,
            Clock clock,
            SecretBox secrets,
            EventService.EventListener listener,
            String publicApiUrl,
            Optional<String> compatProgram,
            MeterRegistry registry) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.publicApiUrl = requireNonNull(publicApiUrl, "publicApiUrl is null");
        this.compatProgram = requireNonNull(compatProgram, "compatProgram is null");
        for (StripeOutcome outcome : StripeOutcome.values()) {
            received.put(
                    outcome,
                    Counter.builder("stripe_events")
                            .description("Stripe events stored, by what became of them")
                            .tag("outcome", outcome.wire())
                            .register(registry));
        }
        this.rejected = Counter.builder("stripe_events_rejected")
                .description("Stripe deliveries refused before anything was stored (signature, body)")
                .register(registry);
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(TEST_TIMEOUT)
                .build();
    }

    /** The sealing context: a sealed secret opens only for the program it was made for. */
    static String sealContext(ProgramId programId) {
        return "stripe_integration:" + programId;
    }

    // ---- admin --------------------------------------------------------------------------------

    public StripeViews.Integration get(ProgramId programId) {
        requireProgram(programId);
        Optional<StripeRepository.Integration> integration = StripeRepository.integration(dsl, programId.value());
        return view(programId, integration.orElse(null));
    }

    /** The outcome of PUT: the integration, and whether this call connected it (201) or replaced its settings (200). */
    public record Connected(StripeViews.Integration integration, boolean created) {}

    public Connected connect(ProgramId programId, StripeConnect request, Principal actor) {
        requireProgram(programId);
        Instant now = clock.instant();
        byte[] sealed = secrets.seal(request.webhookSecret(), sealContext(programId));
        boolean created = dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            boolean inserted = StripeRepository.upsertIntegration(
                    trx, programId.value(), sealed, request.last4(), request.eventType(), now);
            audit(trx, now, actor, inserted ? "stripe.connected" : "stripe.updated", programId, request.eventType());
            return inserted;
        });
        return new Connected(get(programId), created);
    }

    /** False when the program had no Stripe integration. The events received are kept. */
    public boolean disconnect(ProgramId programId, Principal actor) {
        requireProgram(programId);
        Instant now = clock.instant();
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            boolean deleted = StripeRepository.deleteIntegration(trx, programId.value());
            if (deleted) {
                audit(trx, now, actor, "stripe.disconnected", programId, null);
            }
            return deleted;
        });
    }

    public Page<StripeViews.Event> events(ProgramId programId, StripeOutcome outcome, PageRequest page) {
        requireProgram(programId);
        return StripeRepository.events(dsl, programId.value(), outcome, page).map(StripeViews.Event::of);
    }

    /** COMPAT_DEFAULT_PROGRAM, for OpenPartner's {@code POST /webhooks/stripe}. */
    public ProgramId compatProgram() {
        String reference = compatProgram.orElseThrow(() -> new ApiException(
                404,
                "program_not_found",
                "Not found",
                "POST /webhooks/stripe records into COMPAT_DEFAULT_PROGRAM, which is not set",
                List.of()));
        return new ProgramRepository(dsl).findConfigured("COMPAT_DEFAULT_PROGRAM", reference);
    }

    // ---- deliveries ---------------------------------------------------------------------------

    /**
     * One delivery from Stripe. A bad or missing signature, an old timestamp or a body that is not
     * a Stripe event is a 400 and nothing is stored; a redelivery answers as the first time did
     * and changes nothing; anything else is stored with its outcome and answered 200, a failure
     * included (Stripe retrying a currency mismatch would not fix it; the integration shows it).
     */
    public StripeViews.Receipt receive(ProgramId programId, byte[] body, String signature) {
        StripeRepository.Integration integration = requireIntegration(programId);
        String secret = openSecret(programId, integration);
        Optional<String> problem =
                StripeSignature.check(signature, body, secret, clock.instant().getEpochSecond());
        if (problem.isPresent()) {
            rejected.increment();
            LOG.atWarn()
                    .addKeyValue("programId", programId.toString())
                    .addKeyValue("reason", problem.get())
                    .log("stripe delivery refused: signature");
            throw ApiException.badRequest("Stripe-Signature", problem.get());
        }
        StripeEvent event;
        try {
            event = StripeEvent.parse(body);
        } catch (ApiException e) {
            rejected.increment();
            throw e;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            trx.select(DSL.field(
                            "pg_advisory_xact_lock(hashtextextended({0}, 0))", Object.class, "stripe:" + programId))
                    .fetch();
            Instant now = clock.instant();
            UUID rowId = Ulid.newUuidV7(now.toEpochMilli());
            if (!StripeRepository.insertEvent(trx, rowId, programId.value(), event, text, now)) {
                StripeRepository.StoredEvent stored = StripeRepository.findEvent(trx, programId.value(), event.id())
                        .orElseThrow();
                return new StripeViews.Receipt(event.id(), true, stored.outcome(), stored.detail());
            }
            StripeMapping mapping =
                    new StripeMapping(trx, clock, listener, programId.value(), integration.eventType(), now);
            StripeMapping.Result result = mapping.derive(event);
            finish(trx, programId, rowId, event, result, now);
            replay(trx, programId, mapping, result.wakes(), now);
            return new StripeViews.Receipt(event.id(), false, result.outcome(), result.detail());
        });
    }

    /** Derives the held events that waited for what {@code wakes} names, and what those wake in turn. */
    private void replay(DSLContext trx, ProgramId programId, StripeMapping mapping, List<String> wakes, Instant now) {
        Deque<String> pending = new ArrayDeque<>(wakes);
        Set<String> woken = new HashSet<>();
        while (!pending.isEmpty()) {
            Set<String> keys = new HashSet<>();
            while (!pending.isEmpty()) {
                String key = pending.poll();
                // Each key wakes once: bounds the loop even if two held events wait for each other.
                if (woken.add(key)) {
                    keys.add(key);
                }
            }
            for (StripeRepository.StoredEvent held : StripeRepository.heldFor(trx, programId.value(), keys)) {
                StripeEvent event = StripeEvent.parse(held.body().getBytes(StandardCharsets.UTF_8));
                StripeMapping.Result result = mapping.derive(event);
                finish(trx, programId, held.id(), event, result, now);
                pending.addAll(result.wakes());
            }
        }
    }

    private void finish(
            DSLContext trx,
            ProgramId programId,
            UUID rowId,
            StripeEvent event,
            StripeMapping.Result result,
            Instant now) {
        StripeRepository.setOutcome(trx, rowId, result, now);
        received.get(result.outcome()).increment();
        if (result.outcome() == StripeOutcome.FAILED) {
            StripeRepository.recordError(trx, programId.value(), event.id(), result.detail(), now);
            LOG.atWarn()
                    .addKeyValue("programId", programId.toString())
                    .addKeyValue("stripeEvent", event.id())
                    .addKeyValue("type", event.type())
                    .addKeyValue("detail", result.detail())
                    .log("stripe event not recorded");
        }
    }

    // ---- send test ----------------------------------------------------------------------------

    /**
     * Signs a sample event with the program's secret and posts it to this api's own webhook route
     * at {@code selfUrl} (where the admin's request arrived), so the whole path (route, secret,
     * signature, storage) is exercised as a Stripe delivery is.
     */
    public StripeViews.TestResult sendTest(ProgramId programId, String selfUrl) {
        String secret = openSecret(programId, requireIntegration(programId));
        Instant now = clock.instant();
        String id = "evt_test_" + Ulid.encode(Ulid.newUuidV7(now.toEpochMilli()));
        ObjectNode sample = Json.MAPPER
                .createObjectNode()
                .put("id", id)
                .put("object", "event")
                .put("type", StripeMapping.TEST_TYPE)
                .put("created", now.getEpochSecond())
                .put("livemode", false);
        sample.putObject("data")
                .putObject("object")
                .put("id", "test_" + id.substring("evt_test_".length()))
                .put("object", StripeMapping.TEST_TYPE)
                .put("description", "signed sample sent by clickledger's \"send test\"");
        byte[] body = sample.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(selfUrl + webhookPath(programId)))
                .timeout(TEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", StripeSignature.header(secret, now.getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = Json.MAPPER.readTree(response.body());
            StripeOutcome outcome = answer.hasNonNull("outcome")
                    ? StripeOutcome.fromWire(answer.get("outcome").asText())
                    : null;
            String detail = answer.hasNonNull("detail") ? answer.get("detail").asText() : response.body();
            return new StripeViews.TestResult(id, response.statusCode(), outcome, detail);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new StripeViews.TestResult(id, 0, null, "the webhook did not answer with JSON");
        } catch (IOException e) {
            return new StripeViews.TestResult(id, 0, null, "could not reach " + selfUrl + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending the Stripe test event", e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    static String webhookPath(ProgramId programId) {
        return "/v1/programs/" + programId + "/integrations/stripe/webhook";
    }

    private StripeViews.Integration view(ProgramId programId, StripeRepository.Integration integration) {
        String compatUrl = compatProgram.isPresent()
                        && new ProgramRepository(dsl)
                                .findByReference(compatProgram.get())
                                .equals(Optional.of(programId))
                ? publicApiUrl + StripeRoutes.COMPAT_WEBHOOK
                : null;
        Instant lastEventAt =
                StripeRepository.lastReceived(dsl, programId.value()).orElse(null);
        if (integration == null) {
            return new StripeViews.Integration(
                    programId.toString(),
                    false,
                    publicApiUrl + webhookPath(programId),
                    compatUrl,
                    null,
                    null,
                    null,
                    null,
                    lastEventAt,
                    null);
        }
        StripeViews.LastError lastError = integration.lastError() == null
                ? null
                : new StripeViews.LastError(
                        integration.lastErrorAt(), integration.lastErrorEvent(), integration.lastError());
        return new StripeViews.Integration(
                programId.toString(),
                true,
                publicApiUrl + webhookPath(programId),
                compatUrl,
                "whsec_…" + integration.secretLast4(),
                integration.eventType(),
                integration.connectedAt(),
                integration.updatedAt(),
                lastEventAt,
                lastError);
    }

    private void requireProgram(ProgramId programId) {
        if (new ProgramRepository(dsl).find(programId).isEmpty()) {
            throw ApiException.notFound("program");
        }
    }

    private StripeRepository.Integration requireIntegration(ProgramId programId) {
        requireProgram(programId);
        return StripeRepository.integration(dsl, programId.value())
                .orElseThrow(() -> new ApiException(
                        404,
                        "stripe_not_connected",
                        "Not found",
                        "program " + programId + " has no Stripe integration: connect it with PUT /v1/programs/"
                                + programId + "/integrations/stripe",
                        List.of()));
    }

    private String openSecret(ProgramId programId, StripeRepository.Integration integration) {
        try {
            return secrets.open(integration.secretSealed(), sealContext(programId));
        } catch (IllegalStateException e) {
            // Never the secret: the message names the key, not its value.
            LOG.atError()
                    .addKeyValue("programId", programId.toString())
                    .log("stripe signing secret does not open: " + e.getMessage());
            throw new ApiException(
                    500,
                    "stripe_secret_unreadable",
                    "Internal error",
                    "the stored Stripe signing secret cannot be read (SECRETS_ENCRYPTION_KEY changed?); connect"
                            + " Stripe again with its secret",
                    List.of());
        }
    }

    private static void audit(
            DSLContext trx, Instant now, Principal actor, String action, ProgramId programId, String eventType) {
        new AuditRepository(trx)
                .append(new AuditEntry(
                        now,
                        actor.actor(),
                        action,
                        "program",
                        programId.toString(),
                        eventType == null ? Map.of() : Map.of("eventType", eventType)));
    }
}
