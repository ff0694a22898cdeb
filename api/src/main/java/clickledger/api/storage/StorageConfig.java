package clickledger.api.storage;

import static java.util.Objects.requireNonNull;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Secret;
import clickledger.common.config.Setting;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the api keeps files: program logos and, with CLICK_ARCHIVE, archived click months.
 *
 * @param kind {@code fs} (a directory) or {@code s3} (a bucket of any S3-compatible store)
 * @param directory STORAGE_DIR, for {@code fs}
 * @param s3 the bucket's settings, used with {@code s3} (read, and kept, whatever the kind)
 */
public record StorageConfig(Kind kind, Path directory, S3 s3) {
    public enum Kind {
        FS,
        S3
    }

    /**
     * @param endpoint STORAGE_S3_ENDPOINT, empty for AWS itself
     * @param accessKeyId with secretAccessKey, static credentials; both empty for the SDK's default
     *     chain (environment, instance profile, web identity)
     * @param pathStyle bucket in the path rather than the host name (MinIO, Garage, SeaweedFS…)
     */
    public record S3(
            String bucket,
            String region,
            Optional<URI> endpoint,
            Optional<String> accessKeyId,
            Optional<Secret> secretAccessKey,
            boolean pathStyle,
            String prefix) {
        public S3 {
            requireNonNull(bucket, "bucket is null");
            requireNonNull(region, "region is null");
            requireNonNull(endpoint, "endpoint is null");
            requireNonNull(accessKeyId, "accessKeyId is null");
            requireNonNull(secretAccessKey, "secretAccessKey is null");
            requireNonNull(prefix, "prefix is null");
        }
    }

    public static final String DEFAULT_DIRECTORY = ".data/storage";

    public static final Setting STORAGE_KIND = Setting.withDefault(
            "STORAGE_KIND",
            "fs",
            "where uploads (program logos) and click archives are kept: `fs` (the directory `STORAGE_DIR`) or `s3`"
                    + " (a bucket, `STORAGE_S3_*`); back it up with the database");
    public static final Setting STORAGE_DIR = Setting.withDefault(
            "STORAGE_DIR", DEFAULT_DIRECTORY, "with `STORAGE_KIND=fs`: the directory (a volume in Compose)");
    public static final String DEFAULT_BUCKET = "clickledger";
    public static final Setting STORAGE_S3_BUCKET = Setting.withDefault(
            "STORAGE_S3_BUCKET", DEFAULT_BUCKET, "with `STORAGE_KIND=s3`: the bucket (it must exist)");
    public static final Setting STORAGE_S3_REGION =
            Setting.withDefault("STORAGE_S3_REGION", "us-east-1", "with `STORAGE_KIND=s3`: the bucket's region");
    public static final Setting STORAGE_S3_ENDPOINT = Setting.optional(
            "STORAGE_S3_ENDPOINT",
            "with `STORAGE_KIND=s3`: the endpoint of an S3-compatible store (MinIO, Garage, Ceph, R2…); unset for AWS");
    public static final Setting STORAGE_S3_ACCESS_KEY_ID = Setting.optional(
            "STORAGE_S3_ACCESS_KEY_ID",
            "with `STORAGE_KIND=s3`: the access key; unset, the AWS SDK's default credentials (environment, instance"
                    + " profile)");
    public static final Setting STORAGE_S3_SECRET_ACCESS_KEY = Setting.optional(
                    "STORAGE_S3_SECRET_ACCESS_KEY", "with `STORAGE_S3_ACCESS_KEY_ID`: its secret")
            .asSecret();
    public static final Setting STORAGE_S3_PATH_STYLE = Setting.withDefault(
            "STORAGE_S3_PATH_STYLE",
            "true",
            "with `STORAGE_KIND=s3`: `true` puts the bucket in the path (most S3-compatible stores), `false` in the host"
                    + " name");
    public static final Setting STORAGE_S3_PREFIX = Setting.optional(
            "STORAGE_S3_PREFIX", "with `STORAGE_KIND=s3`: a key prefix, to share a bucket (`clickledger/`)");

    /** The variables read here, in the order docs/configuration.md lists them. */
    public static final List<Setting> SETTINGS = List.of(
            STORAGE_KIND,
            STORAGE_DIR,
            STORAGE_S3_BUCKET,
            STORAGE_S3_REGION,
            STORAGE_S3_ENDPOINT,
            STORAGE_S3_ACCESS_KEY_ID,
            STORAGE_S3_SECRET_ACCESS_KEY,
            STORAGE_S3_PATH_STYLE,
            STORAGE_S3_PREFIX);

    public StorageConfig {
        requireNonNull(kind, "kind is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(s3, "s3 is null");
    }

    public static StorageConfig fromEnv(EnvReader env) {
        String kindText = env.string(STORAGE_KIND).toLowerCase(Locale.ROOT);
        Path directory = Path.of(env.string(STORAGE_DIR));
        String bucket = env.string(STORAGE_S3_BUCKET);
        String region = env.string(STORAGE_S3_REGION);
        Optional<URI> endpoint = env.optional(STORAGE_S3_ENDPOINT).flatMap(text -> endpoint(env, text));
        Optional<String> accessKey = env.optional(STORAGE_S3_ACCESS_KEY_ID);
        Optional<Secret> secretKey = env.secret(STORAGE_S3_SECRET_ACCESS_KEY);
        boolean pathStyle = env.bool(STORAGE_S3_PATH_STYLE);
        String prefix = env.optional(STORAGE_S3_PREFIX).orElse("");
        S3 s3 = new S3(bucket, region, endpoint, accessKey, secretKey, pathStyle, prefix);
        Kind kind =
                switch (kindText) {
                    case "fs" -> Kind.FS;
                    case "s3" -> Kind.S3;
                    default -> {
                        env.problem("STORAGE_KIND \"" + kindText + "\" is not fs or s3");
                        yield Kind.FS;
                    }
                };
        // The bucket's settings are checked only when a bucket is used; with fs they lie unused.
        if (kind == Kind.S3) {
            if (!prefix.isEmpty() && (prefix.startsWith("/") || prefix.contains(".."))) {
                env.problem("STORAGE_S3_PREFIX \"" + prefix + "\" must not start with / or contain ..");
            }
            if (accessKey.isPresent() != secretKey.isPresent()) {
                env.problem(
                        "STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY go together: set both or neither");
            }
        }
        return new StorageConfig(kind, directory, s3);
    }

    private static Optional<URI> endpoint(EnvReader env, String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        env.problem("STORAGE_S3_ENDPOINT \"" + text + "\" is not an http(s) URL");
        return Optional.empty();
    }
}
