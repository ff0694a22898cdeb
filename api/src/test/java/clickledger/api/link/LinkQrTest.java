package clickledger.api.link;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** QR codes of share links: decoded back to the link's URL, in PNG and SVG, cached, validated. */
class LinkQrTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Pattern RUN = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-\\d+z");
    private static final Pattern VIEW_BOX = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"");
    private static TestApi api;
    private static String linkId;
    private static String url;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        var link = api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"qr-ada\"}"
                                .formatted(api.createProgram(), api.createPartner()))
                .expect(201)
                .json();
        linkId = link.get("id").asText();
        url = link.get("url").asText();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static HttpResponse<byte[]> get(String query, String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url("/v1/links/" + linkId + "/qr" + query)))
                .header("Authorization", "Bearer " + TestApi.ADMIN_KEY);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String decode(BufferedImage image) throws Exception {
        // A generated image, not a photo: PURE_BARCODE reads it module by module, down to the
        // one pixel per module of the smallest size.
        return new QRCodeReader()
                .decode(
                        new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                        Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                .getText();
    }

    @Test
    void pngDecodesToTheShareUrlAtTheAskedSize() throws Exception {
        for (String query : new String[] {"", "?format=png&size=64", "?size=2048"}) {
            HttpResponse<byte[]> response = get(query, null);

            assertThat(response.statusCode()).as(query).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
            int expected = query.contains("64") ? 64 : query.contains("2048") ? 2048 : 512;
            assertThat(image.getWidth()).as(query).isEqualTo(expected);
            assertThat(decode(image)).as(query).isEqualTo(url).isEqualTo(TestApi.ROUTER_URL + "/r/qr-ada");
        }
    }

    @Test
    void svgDrawsTheSameCode() throws Exception {
        HttpResponse<byte[]> response = get("?format=svg&size=300", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("image/svg+xml"));
        String svg = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(svg).startsWith("<svg ").contains("width=\"300\"").doesNotContain("<script");
        // Paint the path's runs back into pixels, 8 per module, and read it like a camera would.
        Matcher box = VIEW_BOX.matcher(svg);
        assertThat(box.find()).isTrue();
        int modules = Integer.parseInt(box.group(1));
        int scale = 8;
        BufferedImage image = new BufferedImage(modules * scale, modules * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, image.getWidth(), image.getHeight());
        graphics.setColor(Color.BLACK);
        Matcher run = RUN.matcher(svg);
        while (run.find()) {
            graphics.fillRect(
                    Integer.parseInt(run.group(1)) * scale,
                    Integer.parseInt(run.group(2)) * scale,
                    Integer.parseInt(run.group(3)) * scale,
                    scale);
        }
        graphics.dispose();

        assertThat(decode(image)).isEqualTo(url);
    }

    @Test
    void theCodeIsCachedAndRevalidatedByEtag() throws Exception {
        HttpResponse<byte[]> first = get("?size=256", null);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> again = get("?size=256", null);
        HttpResponse<byte[]> notModified = get("?size=256", etag);

        assertThat(first.headers().firstValue("Cache-Control")).hasValue("private, max-age=86400");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
    }

    @Test
    void theCacheIsBounded() {
        QrCodes codes = new QrCodes();
        for (int i = 0; i < QrCodes.MAX_ENTRIES + 10; i++) {
            codes.image("https://go.example/r/" + i, QrCodes.Format.SVG, 64);
        }
        long drawn = codes.drawn();

        codes.image("https://go.example/r/" + (QrCodes.MAX_ENTRIES + 9), QrCodes.Format.SVG, 64);
        codes.image("https://go.example/r/0", QrCodes.Format.SVG, 64);

        // The newest is served from the cache; the oldest was evicted and is drawn again.
        assertThat(codes.drawn()).isEqualTo(drawn + 1);
    }

    @Test
    void badParametersAre400NamingTheFieldAndUnknownLinksAre404() {
        for (String[] bad : new String[][] {
            {"?format=gif", "format"},
            {"?size=63", "size"},
            {"?size=2049", "size"},
            {"?size=big", "size"},
            {"?size=" + "9".repeat(40), "size"}
        }) {
            TestApi.Response response = api.get("/v1/links/" + linkId + "/qr" + bad[0]);
            assertThat(response.status()).as(bad[0]).isEqualTo(400);
            assertThat(response.errorFields()).as(bad[0]).containsExactly(bad[1]);
        }
        assertThat(api.get("/v1/links/not-an-id/qr").errorFields()).containsExactly("id");
        assertThat(api.get("/v1/links/01J00000000000000000000000/qr").status()).isEqualTo(404);
    }
}
