package clickledger.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one JSON mapper, and body parsing that turns every Jackson failure into a 400 naming the
 * field. Reading is strictly typed: Jackson's default coercions would turn
 * {@code "lookbackDays": 1.5} into 1 and {@code "name": 42} into "42", so a client's mistake would
 * be stored instead of reported.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static final ObjectMapper STRICT = strictMapper();

    private Json() {}

    public static <T> T body(Context ctx, Class<T> type) {
        String body = ctx.body();
        if (body.isBlank()) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        try {
            T value = STRICT.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("body", "a JSON object is required");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest(fieldOrBody(e), "is not a known field");
        } catch (MismatchedInputException e) {
            throw ApiException.badRequest(fieldOrBody(e), "has the wrong type or format");
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw ApiException.badRequest(fieldOrBody(e), "is invalid");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "is not valid JSON");
        }
    }

    /**
     * A body that must be a JSON object with only the {@code allowed} fields, for routes that read
     * fields by hand (amounts that may be strings or numbers, fields whose null means "clear").
     */
    public static JsonNode object(Context ctx, Set<String> allowed) {
        return checkObject(body(ctx, JsonNode.class), allowed);
    }

    public static JsonNode checkObject(JsonNode body, Set<String> allowed) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "must be a JSON object");
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest(name, "is not a known field");
            }
        }
        return body;
    }

    /**
     * The top-level fields a PATCH body names, so that {@code "endsAt": null} (clear it) can be told
     * apart from leaving endsAt out (keep it). Call after {@link #body} has accepted the body.
     */
    public static Set<String> presentFields(Context ctx) {
        try {
            JsonNode tree = STRICT.readTree(ctx.body());
            Set<String> names = new LinkedHashSet<>();
            tree.fieldNames().forEachRemaining(names::add);
            return names;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "is not valid JSON");
        }
    }

    private static String fieldOrBody(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        return path.isEmpty() ? "body" : path;
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = MAPPER.copy().disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }
}
