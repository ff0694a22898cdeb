package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser reduced to its cookie jar (what the portal sets, it sends back) and an address of
 * its own, which a proxy in front of the portal would name in X-Forwarded-For.
 */
final class HttpBrowser {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    final String base;
    final String address = "198.51.100." + (1 + ADDRESSES.getAndIncrement() % 250);
    final Map<String, String> cookies = new LinkedHashMap<>();

    HttpBrowser(String base) {
        this.base = base;
    }

    HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("X-Forwarded-For", address)
                .GET();
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookieHeader(cookies));
        }
        return keep(send(request));
    }

    HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        return post(path, form, Map.of());
    }

    HttpResponse<String> post(String path, Map<String, String> form, Map<String, String> headers) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-For", address)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookieHeader(cookies));
        }
        headers.forEach(request::header);
        return keep(send(request));
    }

    /** The CSRF token of the first form on {@code path}. */
    String csrfTokenOf(String path) throws Exception {
        HttpResponse<String> page = get(path);
        assertThat(page.statusCode()).as(path).isEqualTo(200);
        Matcher matcher = CSRF_FIELD.matcher(page.body());
        assertThat(matcher.find()).as("a CSRF field on %s", path).isTrue();
        return matcher.group(1);
    }

    HttpResponse<String> signIn(String email, String password, String next) throws Exception {
        String token = csrfTokenOf("/sign-in");
        HttpResponse<String> response =
                post("/sign-in", Map.of("_csrf", token, "email", email, "password", password, "next", next));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(303);
        return response;
    }

    private HttpResponse<String> keep(HttpResponse<String> response) {
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            String pair = cookie.substring(0, cookie.indexOf(';'));
            String name = pair.substring(0, pair.indexOf('='));
            String value = pair.substring(pair.indexOf('=') + 1);
            if (value.isEmpty() || cookie.contains("Max-Age=0")) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
        return response;
    }

    static HttpResponse<String> get(String base, String path, Map<String, String> cookies) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookieHeader(cookies));
        }
        return send(request);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cookieHeader(Map<String, String> cookies) {
        StringBuilder header = new StringBuilder();
        cookies.forEach((name, value) -> header.append(header.isEmpty() ? "" : "; ")
                .append(name)
                .append('=')
                .append(value));
        return header.toString();
    }
}
