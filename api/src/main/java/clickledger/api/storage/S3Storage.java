package clickledger.api.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * STORAGE_KIND=s3: objects in a bucket of AWS S3 or any S3-compatible store (STORAGE_S3_ENDPOINT).
 * A PUT is atomic on S3, so an object is whole or absent. Checksums are sent only where an
 * operation requires them: the SDK's newer default (CRC trailers on every upload) is refused by
 * several S3-compatible stores, and TLS already guards the bytes on the way.
 */
public final class S3Storage implements Storage {
    private final S3Client client;
    private final String bucket;
    private final String prefix;

    S3Storage(S3Client client, String bucket, String prefix) {
        this.client = requireNonNull(client, "client is null");
        this.bucket = requireNonNull(bucket, "bucket is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
    }

    public static S3Storage create(StorageConfig.S3 config) {
        AwsCredentialsProvider credentials = config.accessKeyId().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        config.accessKeyId().get(),
                        config.secretAccessKey().orElseThrow().reveal()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        config.endpoint().ifPresent(builder::endpointOverride);
        return new S3Storage(builder.build(), config.bucket(), config.prefix());
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        try {
            client.putObject(
                    request -> request.bucket(bucket).key(objectKey(key)).contentType(contentType),
                    RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failed("PUT", key, e);
        }
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
        try {
            client.putObject(
                    request -> request.bucket(bucket).key(objectKey(key)).contentType(contentType),
                    RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failed("PUT", key, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        try {
            return Optional.of(
                    client.getObjectAsBytes(request -> request.bucket(bucket).key(objectKey(key)))
                            .asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failed("GET", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            client.deleteObject(request -> request.bucket(bucket).key(objectKey(key)));
        } catch (NoSuchKeyException e) {
            // S3 answers 204 either way; some compatible stores say 404.
        } catch (SdkException e) {
            throw failed("DELETE", key, e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public void close() {
        client.close();
    }

    private String objectKey(String key) {
        return prefix + Storage.checkKey(key);
    }

    private IOException failed(String operation, String key, SdkException e) {
        return new IOException(operation + " " + describe() + Storage.checkKey(key) + " failed: " + e.getMessage(), e);
    }
}
