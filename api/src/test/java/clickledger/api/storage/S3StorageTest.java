package clickledger.api.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.branding.Images;
import clickledger.api.maintenance.OldClicks;
import clickledger.api.maintenance.PartitionArchive;
import clickledger.common.config.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import com.robothy.s3.rest.LocalS3;
import com.robothy.s3.rest.bootstrap.LocalS3Mode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * STORAGE_KIND=s3 against an S3-compatible server running inside this JVM (LocalS3: Netty, in
 * memory, no Docker): the storage itself, then the api storing a logo and archiving a click month
 * into the bucket, read back with a separate S3 client.
 */
class S3StorageTest {
    private static final String BUCKET = "clickledger-test";
    private static final String ACCESS_KEY = "test-access-key";
    private static final String SECRET_KEY = "test-secret-key";

    private static LocalS3 server;
    private static URI endpoint;
    private static S3Client client;

    @BeforeAll
    static void startServer() {
        server = LocalS3.builder().port(-1).mode(LocalS3Mode.IN_MEMORY).build();
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getPort());
        client = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
        client.createBucket(request -> request.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.shutdown();
    }

    private static Map<String, String> s3Environment(String prefix) {
        return Map.of(
                "STORAGE_KIND", "s3",
                "STORAGE_S3_BUCKET", BUCKET,
                "STORAGE_S3_ENDPOINT", endpoint.toString(),
                "STORAGE_S3_ACCESS_KEY_ID", ACCESS_KEY,
                "STORAGE_S3_SECRET_ACCESS_KEY", SECRET_KEY,
                "STORAGE_S3_PREFIX", prefix);
    }

    private static byte[] object(String key) {
        return client.getObjectAsBytes(request -> request.bucket(BUCKET).key(key))
                .asByteArray();
    }

    @Test
    void objectsAreStoredReadReplacedAndDeleted(@TempDir Path directory) throws Exception {
        StorageConfig.S3 config = new StorageConfig.S3(
                BUCKET,
                "us-east-1",
                Optional.of(endpoint),
                Optional.of(ACCESS_KEY),
                Optional.of(new Secret(SECRET_KEY)),
                true,
                "unit/");
        try (Storage storage = S3Storage.create(config)) {
            assertThat(storage.get("logos/a/one.png")).isEmpty();
            storage.put("logos/a/one.png", "first".getBytes(UTF_8), "image/png");
            storage.put("logos/a/one.png", "second".getBytes(UTF_8), "image/png");
            assertThat(storage.get("logos/a/one.png")).hasValueSatisfying(bytes -> assertThat(new String(bytes, UTF_8))
                    .isEqualTo("second"));
            assertThat(new String(object("unit/logos/a/one.png"), UTF_8)).isEqualTo("second");

            Path file = Files.write(directory.resolve("big.bin"), new byte[3 * 1024 * 1024 + 7]);
            storage.put("archive/click/big.csv.gz", file, "application/gzip");
            assertThat(object("unit/archive/click/big.csv.gz")).hasSize(3 * 1024 * 1024 + 7);

            storage.delete("logos/a/one.png");
            storage.delete("logos/a/one.png");
            assertThat(storage.get("logos/a/one.png")).isEmpty();
            assertThat(storage.describe()).isEqualTo("s3://" + BUCKET + "/unit/");
        }
    }

    @Test
    void aBucketThatIsNotThereIsAnErrorNotAnEmptyAnswer() {
        StorageConfig.S3 config = new StorageConfig.S3(
                "no-such-bucket",
                "us-east-1",
                Optional.of(endpoint),
                Optional.of(ACCESS_KEY),
                Optional.of(new Secret(SECRET_KEY)),
                true,
                "");
        try (Storage storage = S3Storage.create(config)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> storage.put("logos/x.png", new byte[] {1}, "image/png"))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("s3://no-such-bucket/");
        }
    }

    @Test
    void theApiStoresLogosAndArchivesClickMonthsInTheBucket() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(s3Environment("api/"));
        env.put("CLICK_RETENTION_MONTHS", "2");
        env.put("CLICK_ARCHIVE", "true");
        try (TestApi api = TestApi.start(env)) {
            assertThat(api.app().storage()).isInstanceOf(S3Storage.class);
            String program = api.createProgram();
            JsonNode logo = api.sendBytes(
                            "PUT",
                            "/v1/programs/" + program + "/logo",
                            Images.image("png", 120, 60),
                            "image/png",
                            TestApi.ADMIN_KEY)
                    .expect(200)
                    .json();
            byte[] stored = object("api/logos/" + program.toLowerCase() + "/"
                    + logo.get("sha256").asText() + ".png");
            HttpResponse<byte[]> served = api.getBytes(logo.get("url").asText(), null, Map.of());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(stored);

            api.send("DELETE", "/v1/programs/" + program + "/logo", null, TestApi.ADMIN_KEY)
                    .expect(204);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> object("api/logos/" + program.toLowerCase() + "/"
                            + logo.get("sha256").asText() + ".png"))
                    .isInstanceOf(NoSuchKeyException.class);

            String expired = OldClicks.month(api, 3, 2).table();

            assertThat(api.app().maintenance().runOnce()).isTrue();

            String csv;
            try (InputStream in =
                    new GZIPInputStream(new ByteArrayInputStream(object("api/" + PartitionArchive.key(expired))))) {
                csv = new String(in.readAllBytes(), UTF_8);
            }
            assertThat(csv.lines()).hasSize(3);
            assertThat(api.dsl()
                            .fetchOne("select to_regclass(?)::text", expired)
                            .get(0, String.class))
                    .isNull();
        }
    }
}
