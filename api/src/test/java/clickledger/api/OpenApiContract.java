package clickledger.api;

import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The api's OpenAPI document as a checker of real exchanges: it finds the operation a request hit,
 * and says what in the response (status, content type, body) or in an accepted request body the
 * document does not allow. It also counts which operations have been seen answering with which
 * statuses, so a test can demand that every operation was exercised.
 */
final class OpenApiContract {
    static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    // The document's own id for the validator; never fetched.
    private static final String BASE = "https://clickledger.test/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<Template> templates = new ArrayList<>();
    private final Map<String, Set<Integer>> seen = new TreeMap<>();
    private final Map<String, Schema> schemas = new HashMap<>();

    private record Template(String path, Pattern pattern, int literalSegments) {}

    OpenApiContract(String documentText) {
        try {
            this.document = Json.MAPPER.readTree(documentText);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the OpenAPI document is not JSON", e);
        }
        SchemaRegistryConfig config =
                SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        String strictText = strict(document.deepCopy()).toString();
        this.registry = SchemaRegistry.withDefaultDialect(
                Dialects.getOpenApi31(),
                builder -> builder.schemaRegistryConfig(config).schemas(Map.of(BASE, strictText)));
        document.get("paths").fieldNames().forEachRemaining(path -> {
            String regex = "\\Q" + path.replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q") + "\\E";
            int literal = (int) java.util.Arrays.stream(path.split("/"))
                    .filter(segment -> !segment.startsWith("{"))
                    .count();
            templates.add(new Template(path, Pattern.compile(regex), literal));
        });
    }

    /**
     * The document as the validator reads it: an object schema that lists its properties and says
     * nothing of others allows no others, so a field the api starts sending without documenting it
     * fails here instead of passing unseen. (The published document stays open, as clients should
     * ignore fields they do not know.)
     */
    private static JsonNode strict(JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            if (object.has("properties")
                    && object.get("properties").isObject()
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.forEach(OpenApiContract::strict);
        } else if (node.isArray()) {
            node.forEach(OpenApiContract::strict);
        }
        return node;
    }

    /**
     * Every 2xx JSON response whose schema says nothing about its fields: such a schema validates
     * any body, so the check above would be empty for it.
     */
    List<String> vacuousSuccessSchemas() {
        List<String> vacuous = new ArrayList<>();
        for (String operation : operations()) {
            String method = operation.substring(0, operation.indexOf(' ')).toLowerCase(Locale.ROOT);
            String path = operation.substring(operation.indexOf(' ') + 1);
            JsonNode responses = document.at("/paths/" + escape(path) + "/" + method + "/responses");
            responses.properties().forEach(response -> {
                if (!response.getKey().startsWith("2")) {
                    return;
                }
                JsonNode json =
                        document.at(resolve("/paths/" + escape(path) + "/" + method + "/responses/" + response.getKey())
                                + "/content/application~1json/schema");
                if (json.isMissingNode()) {
                    return;
                }
                JsonNode schema =
                        json.has("$ref") ? document.at(json.get("$ref").asText().substring(1)) : json;
                if (!schema.has("properties") && !schema.has("items") && !schema.has("oneOf")) {
                    vacuous.add(operation + " " + response.getKey());
                }
            });
        }
        return vacuous;
    }

    JsonNode document() {
        return document;
    }

    /** Every operation of the document, as "GET /v1/programs/{id}". */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                    if (HTTP_METHODS.contains(method)) {
                        operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));
        return operations;
    }

    /** Whether the operation needs a key: its own security, else the document's, is not empty. */
    boolean needsKey(String operation) {
        String method = operation.substring(0, operation.indexOf(' ')).toLowerCase(Locale.ROOT);
        String path = operation.substring(operation.indexOf(' ') + 1);
        JsonNode own = document.at("/paths/" + escape(path) + "/" + method + "/security");
        JsonNode security = own.isMissingNode() ? document.path("security") : own;
        return !security.isEmpty();
    }

    /** Operation → the statuses it was seen answering with. */
    Map<String, Set<Integer>> seen() {
        return seen;
    }

    /** The document's path template a concrete path falls under; literal segments beat parameters. */
    Optional<String> template(String rawPath) {
        String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
        return templates.stream()
                .filter(template -> template.pattern().matcher(path).matches())
                .max(java.util.Comparator.comparingInt(Template::literalSegments))
                .map(Template::path);
    }

    /**
     * What the document does not allow in this exchange; empty when it conforms.
     *
     * @param requestBody the JSON sent, or null; checked against the request schema only when the
     *     api accepted it (2xx), since a refused body is meant to be wrong
     */
    List<String> check(String method, String rawPath, String requestBody, TestApi.Response response) {
        List<String> problems = new ArrayList<>();
        String exchange = method + " " + rawPath + " → " + response.status();
        Optional<String> template = template(rawPath);
        if (template.isEmpty()) {
            return List.of(exchange + ": no path of the document matches " + rawPath);
        }
        String operationPointer = "/paths/" + escape(template.get()) + "/" + method.toLowerCase(Locale.ROOT);
        JsonNode operation = document.at(operationPointer);
        if (operation.isMissingNode()) {
            return List.of(exchange + ": the document has no " + method + " for " + template.get());
        }
        seen.computeIfAbsent(method + " " + template.get(), key -> new TreeSet<>())
                .add(response.status());

        String status = Integer.toString(response.status());
        String responsePointer = operationPointer + "/responses/" + status;
        if (document.at(responsePointer).isMissingNode()) {
            responsePointer = operationPointer + "/responses/default";
        }
        if (document.at(responsePointer).isMissingNode()) {
            return List.of(exchange + ": status " + status + " is not documented; body " + abbreviate(response.body()));
        }
        responsePointer = resolve(responsePointer);
        JsonNode content = document.at(responsePointer + "/content");
        String contentType = Optional.ofNullable(response.header("Content-Type"))
                .map(value -> value.split(";")[0].trim().toLowerCase(Locale.ROOT))
                .orElse("");
        if (content.isMissingNode() || content.isEmpty()) {
            if (!response.body().isEmpty()) {
                problems.add(exchange + ": documented without a body, but " + contentType + " came back");
            }
        } else if (!content.has(contentType)) {
            problems.add(exchange + ": content type " + contentType + " is not one of " + names(content));
        } else if (isJson(contentType)) {
            String schemaPointer = responsePointer + "/content/" + escape(contentType) + "/schema";
            problems.addAll(validate(exchange + " response", schemaPointer, response.body()));
        }

        if (requestBody != null && response.status() / 100 == 2) {
            String requestPointer = operationPointer + "/requestBody";
            if (document.at(requestPointer).isMissingNode()) {
                problems.add(exchange + ": accepted a body the document does not describe");
            } else {
                String schemaPointer = resolve(requestPointer) + "/content/application~1json/schema";
                problems.addAll(validate(exchange + " request", schemaPointer, requestBody));
            }
        }
        return problems;
    }

    private List<String> validate(String what, String schemaPointer, String body) {
        if (document.at(schemaPointer).isMissingNode()) {
            return List.of(what + ": no schema at " + schemaPointer);
        }
        JsonNode instance;
        try {
            instance = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return List.of(what + ": not JSON: " + abbreviate(body));
        }
        Schema schema = schemas.computeIfAbsent(
                schemaPointer, pointer -> registry.getSchema(SchemaLocation.of(BASE + "#" + pointer)));
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(instance)) {
            problems.add(what + ": " + error.getInstanceLocation() + " " + error.getMessage() + " (schema "
                    + error.getSchemaLocation() + "); body " + abbreviate(body));
        }
        return problems;
    }

    // A response or request body may be a $ref into components; follow it (one level is all the document uses).
    private String resolve(String pointer) {
        JsonNode node = document.at(pointer);
        if (node.has("$ref")) {
            return node.get("$ref").asText().substring(1);
        }
        return pointer;
    }

    private static boolean isJson(String contentType) {
        return contentType.equals("application/json") || contentType.endsWith("+json");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A JSON pointer token: "~" and "/" escaped. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String body) {
        return body.length() > 600 ? body.substring(0, 600) + "…" : body;
    }
}
