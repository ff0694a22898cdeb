package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The portal's one way to the api: JSON over HTTP on behalf of a {@link Caller} (its token, its
 * request id and its address in {@code X-Forwarded-For}), and every answer of 400 or more turned
 * into an {@link ApiProblem}. The
 * typed clients ({@link ProgramsClient}, …) sit on top; pages never build a request themselves.
 */
public final class ApiClient {
    /** Longer than any api call should take; a page waits no longer than this for one. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    // The api adds fields over time; the portal reads the ones it knows.
    static final ObjectMapper MAPPER = Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final String FORWARDED_FOR = "X-Forwarded-For";

    private final HttpClient http;
    private final String baseUrl;

    public ApiClient(HttpClient http, URI baseUrl) {
        this.http = requireNonNull(http, "http is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null").toString();
    }

    /** A raw answer: for images (QR codes) and for callers that look at a status themselves. */
    public record Binary(int status, byte[] body, String contentType, String etag, String cacheControl) {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public <T> T get(Caller caller, ApiPath path, Class<T> type) {
        return read(send("GET", caller, path, null), MAPPER.constructType(type));
    }

    public <T> ListPage<T> list(Caller caller, ApiPath path, Class<T> itemType) {
        return read(
                send("GET", caller, path, null),
                MAPPER.getTypeFactory().constructParametricType(ListPage.class, itemType));
    }

    /** The api's most ids in one {@code ?ids=} lookup. */
    static final int MAX_IDS = 100;

    /**
     * Several resources of a list route by id ({@code GET path?ids=a,b,c}), {@value #MAX_IDS} to a
     * call, for labelling rows keyed by id without a call per row; ids the api does not know are
     * left out.
     */
    public <T> List<T> byIds(Caller caller, String path, List<String> ids, Class<T> type) {
        List<String> distinct = ids.stream().distinct().toList();
        List<T> found = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += MAX_IDS) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + MAX_IDS));
            found.addAll(list(
                            caller,
                            ApiPath.of(path)
                                    .param("ids", String.join(",", chunk))
                                    .param("limit", MAX_IDS),
                            type)
                    .items());
        }
        return found;
    }

    public <T> T post(Caller caller, ApiPath path, JsonNode body, Class<T> type) {
        return read(send("POST", caller, path, body), MAPPER.constructType(type));
    }

    public <T> T put(Caller caller, ApiPath path, JsonNode body, Class<T> type) {
        return read(send("PUT", caller, path, body), MAPPER.constructType(type));
    }

    public <T> T patch(Caller caller, ApiPath path, JsonNode body, Class<T> type) {
        return read(send("PATCH", caller, path, body), MAPPER.constructType(type));
    }

    /** PUT of raw bytes (an image upload) with their Content-Type; the answer is JSON. */
    public <T> T putBytes(Caller caller, ApiPath path, byte[] body, String contentType, Class<T> type) {
        HttpRequest request = request("PUT", caller, path, null)
                .header("Content-Type", contentType)
                .method("PUT", HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response =
                exchange(request, HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8));
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), response.body());
        }
        return read(response.body(), MAPPER.constructType(type));
    }

    /** POST whose answer the caller does not need (204, or a body it ignores). */
    public void post(Caller caller, ApiPath path, JsonNode body) {
        send("POST", caller, path, body);
    }

    public void delete(Caller caller, ApiPath path) {
        send("DELETE", caller, path, null);
    }

    /** GET whose body is passed on as bytes (an image); problems still throw. */
    public Binary binary(Caller caller, ApiPath path, String ifNoneMatch) {
        HttpRequest.Builder request = request("GET", caller, path, null);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        HttpResponse<byte[]> response = exchange(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return new Binary(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                response.headers().firstValue("ETag").orElse(null),
                response.headers().firstValue("Cache-Control").orElse(null));
    }

    /** A streamed answer (a payment file): the caller copies {@code body} on, then closes it. */
    public record Download(InputStream body, String contentType, String contentDisposition) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * GET whose body is passed on as it arrives, never held whole (a file of any length); problems
     * still throw.
     */
    public Download download(Caller caller, ApiPath path) {
        HttpRequest request = request("GET", caller, path, null)
                .setHeader("Accept", "text/csv, application/problem+json")
                .build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 400) {
            String problem;
            try (InputStream body = response.body()) {
                // A problem is small; more than this is not one worth reading.
                problem = new String(body.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw ApiProblem.unreachable(
                        "the api's answer broke off: " + e.getClass().getSimpleName());
            }
            throw problem(response.statusCode(), problem);
        }
        return new Download(
                response.body(),
                response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                response.headers().firstValue("Content-Disposition").orElse(null));
    }

    private String send(String method, Caller caller, ApiPath path, JsonNode body) {
        HttpResponse<String> response = exchange(
                request(method, caller, path, body).build(),
                HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8));
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), response.body());
        }
        return response.body();
    }

    private HttpRequest.Builder request(String method, Caller caller, ApiPath path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        if (caller.token() != null) {
            request.header("Authorization", "Bearer " + caller.token());
        }
        if (caller.requestId() != null) {
            request.header(RequestIds.HEADER, caller.requestId());
        }
        if (caller.forwardedFor() != null) {
            request.header(FORWARDED_FOR, caller.forwardedFor());
        }
        if (caller.userAgent() != null
                && !caller.userAgent().isBlank()
                && caller.userAgent().length() <= 512) {
            request.header("User-Agent", caller.userAgent());
        }
        return request;
    }

    private <B> HttpResponse<B> exchange(HttpRequest request, HttpResponse.BodyHandler<B> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw ApiProblem.unreachable(
                    "the api did not answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unreachable("interrupted while waiting for the api");
        }
    }

    private static <T> T read(String body, JavaType type) {
        try {
            return MAPPER.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the api answered JSON the portal cannot read as " + type, e);
        }
    }

    static ApiProblem problem(int status, String body) {
        String code = null;
        String detail = "the api answered " + status;
        String requestId = null;
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        try {
            JsonNode problem = MAPPER.readTree(body);
            if (problem != null && problem.isObject()) {
                code = problem.path("code").asText(null);
                detail = problem.path("detail").asText(detail);
                requestId = problem.path("requestId").asText(null);
                for (JsonNode error : problem.path("errors")) {
                    errors.add(new ApiProblem.FieldError(
                            error.path("field").asText(""),
                            error.path("message").asText("")));
                }
            }
        } catch (JsonProcessingException notJson) {
            // A proxy's HTML error page, say: the status alone says enough.
        }
        return new ApiProblem(status, code, detail, errors, requestId);
    }
}
