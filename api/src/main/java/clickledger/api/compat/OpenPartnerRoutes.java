package clickledger.api.compat;

import static clickledger.db.jooq.Tables.EVENT;
import static java.util.Objects.requireNonNull;

import clickledger.api.ApiConfig;
import clickledger.api.auth.ApiKeyAuthenticator;
import clickledger.api.auth.Principal;
import clickledger.api.event.EventRequest;
import clickledger.api.event.EventService;
import clickledger.api.http.ClientAddress;
import clickledger.api.http.Cors;
import clickledger.api.http.Ids;
import clickledger.api.http.RateLimiter;
import clickledger.api.http.Timestamps;
import clickledger.api.identity.IdentifyService;
import clickledger.api.program.ProgramRepository;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * OpenPartner's SDK routes, so that its published npm package {@code @openpartner/sdk} works
 * against this api with only its {@code apiUrl} changed: {@code POST /attribution/identify} and
 * {@code POST /attribution/events}. They translate OpenPartner's wire format to and from the
 * services behind {@code /v1/identify} and {@code /v1/events}: attribution, idempotency and
 * commissions are the same code, so the two doors cannot disagree.
 */
public final class OpenPartnerRoutes {
    public static final String IDENTIFY = "/attribution/identify";
    public static final String EVENTS = "/attribution/events";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Set<String> IDENTIFY_FIELDS = Set.of("cref", "userId", "ts");
    // OpenPartner's fields, plus clickledger's own: eventId (idempotency), refundOf and programId.
    private static final Set<String> EVENT_FIELDS =
            Set.of("userId", "type", "value", "currency", "metadata", "ts", "eventId", "refundOf", "programId");
    // 9999-12-31T23:59:59.999Z: a larger number is not a time a browser's Date.now() gives.
    private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

    private final IdentifyService identify;
    private final EventService events;
    private final ApiKeyAuthenticator authenticator;
    private final AnonymousIdentify anonymous;
    private final DSLContext dsl;
    private final Clock clock;
    private final Optional<String> defaultProgram;

    /** The routes as configured: anonymous identify, its rate limit and the default program come from config. */
    public static OpenPartnerRoutes create(
            ApiConfig config,
            IdentifyService identify,
            EventService events,
            ApiKeyAuthenticator authenticator,
            Cors cors,
            DSLContext dsl,
            Clock clock) {
        AnonymousIdentify anonymous = new AnonymousIdentify(
                config.identifyAllowAnonymous(),
                new RateLimiter(clock, config.identifyRateLimitPerMinute()),
                config.identifyRateLimitPerMinute(),
                new ClientAddress(config.trustedProxies()),
                cors);
        return new OpenPartnerRoutes(
                identify, events, authenticator, anonymous, dsl, clock, config.compatDefaultProgram());
    }

    OpenPartnerRoutes(
            IdentifyService identify,
            EventService events,
            ApiKeyAuthenticator authenticator,
            AnonymousIdentify anonymous,
            DSLContext dsl,
            Clock clock,
            Optional<String> defaultProgram) {
        this.identify = requireNonNull(identify, "identify is null");
        this.events = requireNonNull(events, "events is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.anonymous = requireNonNull(anonymous, "anonymous is null");
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.defaultProgram = requireNonNull(defaultProgram, "defaultProgram is null");
    }

    public void register(RoutesConfig routes) {
        routes.post(IDENTIFY, ctx -> OpenPartnerErrors.answer(ctx, this::identify));
        routes.post(EVENTS, ctx -> OpenPartnerErrors.answer(ctx, this::event));
    }

    private void identify(Context ctx) {
        Principal principal = identifyCaller(ctx);
        JsonNode body = object(ctx, IDENTIFY_FIELDS);
        String cref = EventRequest.text(body, "cref", true, 64);
        String userId = EventRequest.text(body, "userId", true, EventRequest.MAX_ID_LENGTH);
        Instant ts = identifyTime(body.get("ts"));
        if (Ulid.parse(cref).isEmpty()) {
            // OpenPartner has no such thing as a malformed cref, only an unknown one; a cref left in a
            // browser by another tracker gets the answer its SDK expects.
            throw clickNotFound();
        }
        IdentifyService.Result result = identify.identify(cref, userId, ts, identifyScope(principal));
        ctx.status(result.created() ? 201 : 200)
                .json(new OpenPartnerWire.IdentifyAnswer(
                        true, result.identityId(), result.firstStitch(), attributedCount(result)));
    }

    private void event(Context ctx) {
        Principal principal =
                authenticator.authenticate(ctx.header(Header.AUTHORIZATION)).orElseThrow(() -> unauthorized(ctx));
        if (!principal.isAdmin() && principal.kind() != Principal.Kind.SECRET) {
            throw ApiException.forbidden("events need a secret key (ck_sk_…) or an admin key");
        }
        ObjectNode body = object(ctx, EVENT_FIELDS);
        UUID programId = programFor(principal, body);
        ObjectNode request = body.deepCopy();
        request.remove("programId");
        request.put("eventId", eventKey(ctx, body));
        EventService.Outcome outcome = events.record(programId, EventRequest.from(request));
        ctx.status(outcome.created() ? 201 : 200).json(OpenPartnerWire.EventAnswer.of(outcome.view()));
    }

    /**
     * Who calls identify: the holder of a valid key, or nobody (null) when anonymous identify is
     * allowed. A key that is sent must be valid even then, so a mistyped key is reported, not
     * silently downgraded.
     */
    private Principal identifyCaller(Context ctx) {
        String authorization = ctx.header(Header.AUTHORIZATION);
        if (authorization == null) {
            anonymous.admit(ctx);
            return null;
        }
        return authenticator.authenticate(authorization).orElseThrow(() -> unauthorized(ctx));
    }

    /**
     * Which program's clicks identify may stitch; null means the click's own program (admin keys,
     * and anonymous callers, who prove nothing beyond holding the cref). A secret or publishable
     * key is bound to its program, so its holder cannot stitch other programs' clicks.
     */
    private static UUID identifyScope(Principal principal) {
        if (principal == null || principal.programId() == null) {
            return null;
        }
        return principal.programId().value();
    }

    /**
     * The program an event is recorded in: a secret key's own program (a different
     * {@code programId} in the body is a 400); for an admin key, the body's {@code programId}
     * (which the SDK passes through untouched), else COMPAT_DEFAULT_PROGRAM, because OpenPartner's
     * SDK has no way to name one.
     */
    private UUID programFor(Principal principal, JsonNode body) {
        String requested = EventRequest.text(body, "programId", false, 64);
        if (principal.programId() != null) {
            UUID own = principal.programId().value();
            if (requested != null && !own.equals(Ids.parse("programId", requested))) {
                throw ApiException.badRequest("programId", "is not the program of this key");
            }
            return own;
        }
        if (requested != null) {
            return Ids.parse("programId", requested);
        }
        String reference = defaultProgram.orElseThrow(() -> ApiException.badRequest(
                "programId", "is required: the key is not bound to a program and COMPAT_DEFAULT_PROGRAM is not set"));
        return new ProgramRepository(dsl)
                .findConfigured("COMPAT_DEFAULT_PROGRAM", reference)
                .value();
    }

    /**
     * The event's idempotency key. OpenPartner records every call as a new event; here a caller may
     * opt in to exactly-once with an {@code Idempotency-Key} header, an {@code eventId} or
     * {@code metadata.eventId} (those given must agree). Without one, a fresh key makes the call a
     * new event, as in OpenPartner.
     */
    private String eventKey(Context ctx, JsonNode body) {
        String key = null;
        String keySource = null;
        String[][] candidates = {
            {IDEMPOTENCY_KEY, ctx.header(IDEMPOTENCY_KEY)},
            {"eventId", EventRequest.text(body, "eventId", false, EventRequest.MAX_ID_LENGTH)},
            {"metadata.eventId", metadataEventId(body.get("metadata"))}
        };
        for (String[] candidate : candidates) {
            String value = candidate[1];
            if (value == null) {
                continue;
            }
            if (key == null) {
                key = value;
                keySource = candidate[0];
            } else if (!key.equals(value)) {
                throw ApiException.badRequest(candidate[0], "must equal " + keySource + " when both are given");
            }
        }
        return key != null ? key : Ulid.encode(Ulid.newUuidV7(clock.millis()));
    }

    private static String metadataEventId(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return null;
        }
        JsonNode eventId = metadata.get("eventId");
        if (eventId == null || eventId.isNull()) {
            return null;
        }
        if (eventId.isTextual() && !eventId.textValue().isBlank()) {
            return eventId.textValue();
        }
        if (eventId.isIntegralNumber()) {
            return eventId.asText();
        }
        throw ApiException.badRequest("metadata.eventId", "must be a non-blank string or a whole number");
    }

    /** OpenPartner's browser client sends {@code Date.now()}; an ISO 8601 string is taken too. */
    private static Instant identifyTime(JsonNode ts) {
        if (ts == null || ts.isNull()) {
            return null;
        }
        if (ts.isTextual()) {
            return Timestamps.parse("ts", ts.textValue());
        }
        if (ts.isIntegralNumber()
                && ts.canConvertToLong()
                && ts.longValue() >= 0
                && ts.longValue() <= MAX_EPOCH_MILLIS) {
            return Instant.ofEpochMilli(ts.longValue());
        }
        throw ApiException.badRequest(
                "ts", "must be milliseconds since 1970 (Date.now()) or an ISO 8601 timestamp with an offset");
    }

    /** Of the earlier events this stitch re-derived, those that it attributed (OpenPartner's count). */
    private int attributedCount(IdentifyService.Result result) {
        if (result.backfilledEventIds().isEmpty()) {
            return 0;
        }
        UUID programId = Ulid.parse(result.programId()).orElseThrow();
        return dsl.fetchCount(
                EVENT,
                EVENT.PROGRAM_ID
                        .eq(programId)
                        .and(EVENT.EVENT_KEY.in(result.backfilledEventIds()))
                        .and(EVENT.ATTRIBUTION_STATUS.eq("attributed")));
    }

    private static ObjectNode object(Context ctx, Set<String> fields) {
        JsonNode body = Json.body(ctx, JsonNode.class);
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.badRequest("body", "must be a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiException.badRequest(name, "is not a known field");
            }
        }
        return object;
    }

    private static ApiException unauthorized(Context ctx) {
        ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"clickledger\"");
        return ApiException.unauthorized();
    }

    private static ApiException clickNotFound() {
        return new ApiException(404, "click_not_found", "Not found", "cref: no such click", List.of());
    }
}
