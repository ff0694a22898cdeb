package clickledger.api.branding;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.storage.FsStorage;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Program logos end to end over HTTP with STORAGE_KIND=fs: the upload is judged by its bytes,
 * re-encoded, stored, served without a key with its exact type and nosniff, replaced without a
 * moment's gap, and removed; every hostile upload is a 4xx naming the field and leaves the logo
 * that was there.
 */
class ProgramLogoTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response upload(String programId, byte[] image, String contentType) {
        return api.sendBytes("PUT", "/v1/programs/" + programId + "/logo", image, contentType, TestApi.ADMIN_KEY);
    }

    private static HttpResponse<byte[]> fetch(String url, Map<String, String> headers) {
        return api.getBytes(url, null, headers);
    }

    @Test
    void anUploadedLogoIsReEncodedStoredAndServedWithoutAKey() throws Exception {
        String program = api.createProgram();
        assertThat(api.get("/v1/programs/" + program)
                        .expect(200)
                        .json()
                        .get("logoUrl")
                        .isNull())
                .isTrue();
        // A PNG with a script appended (a polyglot); the stored logo must be pixels only.
        byte[] sent = Images.concat(Images.image("png", 800, 400), "<script>alert(1)</script>".getBytes(UTF_8));

        JsonNode logo = upload(program, sent, "text/html").expect(200).json();

        assertThat(logo.get("contentType").asText()).isEqualTo("image/png");
        assertThat(logo.get("width").asInt()).isEqualTo(512);
        assertThat(logo.get("height").asInt()).isEqualTo(256);
        String url = logo.get("url").asText();
        assertThat(url).startsWith("/v1/programs/" + program + "/logo?v=");
        assertThat(api.get("/v1/programs/" + program)
                        .expect(200)
                        .json()
                        .get("logoUrl")
                        .asText())
                .isEqualTo(url);

        HttpResponse<byte[]> served = fetch(url, Map.of());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(served.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(served.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; sandbox");
        assertThat(new String(served.body(), UTF_8)).doesNotContain("<script>");
        BufferedImage image = Images.read(served.body());
        assertThat(image.getWidth()).isEqualTo(512);
        assertThat(image.getHeight()).isEqualTo(256);
        assertThat(served.body()).hasSize(logo.get("bytes").asInt());

        String etag = served.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + logo.get("sha256").asText() + "\"");
        assertThat(fetch(url, Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);

        // It is in the storage directory, under a key named by its content.
        Path file = ((FsStorage) api.app().storage())
                .path("logos/" + program.toLowerCase() + "/"
                        + logo.get("sha256").asText() + ".png");
        assertThat(Files.readAllBytes(file)).isEqualTo(served.body());
        assertThat(api.dsl()
                        .fetchValue(
                                "select count(*) from audit_log where action = 'program.logo_updated'"
                                        + " and entity_id = ?",
                                program))
                .isEqualTo(1L);
    }

    @Test
    void aJpegStaysAJpegAndAReplacementRemovesTheOldObject() throws Exception {
        String program = api.createProgram();
        JsonNode first = upload(program, Images.image("gif", 64, 32), "image/gif")
                .expect(200)
                .json();
        assertThat(first.get("contentType").asText()).isEqualTo("image/png");
        FsStorage storage = (FsStorage) api.app().storage();
        Path firstFile = storage.path(
                "logos/" + program.toLowerCase() + "/" + first.get("sha256").asText() + ".png");
        assertThat(firstFile).exists();

        JsonNode second = upload(program, Images.image("jpeg", 300, 300), "application/octet-stream")
                .expect(200)
                .json();

        assertThat(second.get("contentType").asText()).isEqualTo("image/jpeg");
        assertThat(firstFile).doesNotExist();
        HttpResponse<byte[]> served = fetch(second.get("url").asText(), Map.of());
        assertThat(served.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(Images.read(served.body()).getWidth()).isEqualTo(300);
        // The old URL's version is stale, but the route serves the current logo whatever v says.
        assertThat(fetch(first.get("url").asText(), Map.of()).headers().firstValue("ETag"))
                .hasValue("\"" + second.get("sha256").asText() + "\"");
    }

    @Test
    void hostileUploadsAreRefusedNamingTheFieldAndKeepTheCurrentLogo() {
        String program = api.createProgram();
        String url = upload(program, Images.image("png", 40, 40), "image/png")
                .expect(200)
                .json()
                .get("url")
                .asText();
        byte[] png = Images.image("png", 40, 40);
        Map<String, byte[]> refused = Map.of(
                "svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".getBytes(UTF_8),
                "html", "  <html><body>hi</body></html>".getBytes(UTF_8),
                "webp", "RIFF\0\0\0\0WEBPVP8 ".getBytes(UTF_8),
                "text", "just some text".getBytes(UTF_8),
                "truncated png", java.util.Arrays.copyOf(png, 40),
                "png claiming 100000x100000 pixels", Images.pngClaiming(100_000, 100_000),
                "empty", new byte[0]);
        refused.forEach((what, body) -> {
            TestApi.Response response = upload(program, body, "image/png");
            assertThat(response.status()).as(what).isEqualTo(400);
            assertThat(response.errorFields()).as(what).containsExactly("logo");
        });
        TestApi.Response tooLarge = upload(program, new byte[LogoImage.MAX_UPLOAD_BYTES + 1], "image/png");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorFields()).containsExactly("logo");
        assertThat(upload(program, new byte[2 * 1024 * 1024], "image/png").status())
                .isEqualTo(413);

        assertThat(fetch(url, Map.of()).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/programs/" + program).json().get("logoUrl").asText())
                .isEqualTo(url);
    }

    @Test
    void onlyAdminsChangeALogoAndEveryoneMayReadIt() {
        String program = api.createProgram();
        String secret = api.post(
                        "/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"s\",\"programId\":\"%s\"}".formatted(program))
                .expect(201)
                .json()
                .get("key")
                .asText();
        byte[] png = Images.image("png", 20, 20);
        assertThat(api.sendBytes("PUT", "/v1/programs/" + program + "/logo", png, "image/png", secret)
                        .status())
                .isEqualTo(403);
        assertThat(api.sendBytes("PUT", "/v1/programs/" + program + "/logo", png, "image/png", null)
                        .status())
                .isEqualTo(401);
        assertThat(api.send("DELETE", "/v1/programs/" + program + "/logo", null, secret)
                        .status())
                .isEqualTo(403);
        assertThat(upload("01J00000000000000000000000", png, "image/png").status())
                .isEqualTo(404);
        assertThat(upload("not-an-id", png, "image/png").errorFields()).containsExactly("id");

        assertThat(fetch("/v1/programs/" + program + "/logo", Map.of()).statusCode())
                .isEqualTo(404);
        upload(program, png, "image/png").expect(200);
        assertThat(fetch("/v1/programs/" + program + "/logo", Map.of()).statusCode())
                .isEqualTo(200);

        api.send("DELETE", "/v1/programs/" + program + "/logo", null, TestApi.ADMIN_KEY)
                .expect(204);
        api.send("DELETE", "/v1/programs/" + program + "/logo", null, TestApi.ADMIN_KEY)
                .expect(404);
        assertThat(fetch("/v1/programs/" + program + "/logo", Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(api.get("/v1/programs/" + program).json().get("logoUrl").isNull())
                .isTrue();
        assertThat(api.dsl()
                        .fetchValue(
                                "select count(*) from audit_log where action = 'program.logo_removed'"
                                        + " and entity_id = ?",
                                program))
                .isEqualTo(1L);
    }
}
