package clickledger.api.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * STORAGE_KIND=fs: one file per key under a directory. Each object is written under a temporary
 * name, forced to disk and renamed into place, so a crash leaves the old object or the new one,
 * never half of either.
 */
public final class FsStorage implements Storage {
    private final Path root;

    public FsStorage(Path root) {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        Path target = path(key);
        Path partial = partial(target);
        try (OutputStream out = Files.newOutputStream(partial)) {
            out.write(bytes);
        }
        commit(partial, target);
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
        Path target = path(key);
        Path partial = partial(target);
        try (InputStream in = Files.newInputStream(file)) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        commit(partial, target);
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    /** The file of {@code key}; tests look at it. */
    public Path path(String key) {
        Path path = root.resolve(Storage.checkKey(key)).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("storage key \"" + key + "\" leaves the storage directory");
        }
        return path;
    }

    private static Path partial(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    private static void commit(Path partial, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
