package clickledger.api.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The api's file store: a directory ({@link FsStorage}) or an S3 bucket ({@link S3Storage}). Keys
 * are the api's own ({@code logos/…}, {@code archive/click/…}), never a client's text, and
 * {@link #checkKey} refuses anything that could leave the store.
 */
public interface Storage extends AutoCloseable {
    Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

    /** Stores {@code bytes} under {@code key}, whole or not at all, replacing what was there. */
    void put(String key, byte[] bytes, String contentType) throws IOException;

    /** Stores the file's content under {@code key}, whole or not at all; the file is left as it was. */
    void put(String key, Path file, String contentType) throws IOException;

    /** The object's bytes, or empty when there is none. For small objects (logos). */
    Optional<byte[]> get(String key) throws IOException;

    /** Removes the object; no error when there is none. */
    void delete(String key) throws IOException;

    /** Where objects go, for logs and the readiness of an operator's eye: a path or s3://bucket/prefix. */
    String describe();

    @Override
    default void close() {}

    static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("storage key \"" + key + "\" is not a plain relative key");
        }
        return key;
    }

    static Storage open(StorageConfig config) {
        return switch (config.kind()) {
            case FS -> new FsStorage(config.directory());
            case S3 -> S3Storage.create(config.s3());
        };
    }
}
