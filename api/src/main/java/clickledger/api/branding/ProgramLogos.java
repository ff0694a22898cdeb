package clickledger.api.branding;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.storage.Storage;
import clickledger.common.crypto.Sha256;
import clickledger.common.id.Ulid;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Program logos: the image in the storage under a key named by its content
 * ({@code logos/<program>/<sha256>.png}), the current one named by a program_logo row. A new logo
 * is stored first and switched to in one transaction (with its audit line), and only then is the
 * old object removed, so a reader sees the old logo or the new one, never a missing file.
 */
public final class ProgramLogos {
    private static final Logger LOG = LoggerFactory.getLogger(ProgramLogos.class);

    /** What the api says about a stored logo. {@code url} is the api path that serves it. */
    public record Logo(
            String programId,
            String url,
            String contentType,
            int width,
            int height,
            int bytes,
            String sha256,
            Instant updatedAt) {
        /** The strong ETag the read route sends and compares. */
        public String etag() {
            return "\"" + sha256 + "\"";
        }
    }

    /** A logo with its bytes, for the read route. */
    public record Served(Logo logo, byte[] body) {}

    private final DSLContext dsl;
    private final Storage storage;
    private final Clock clock;

    public ProgramLogos(DSLContext dsl, Storage storage, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The path that serves a program's logo; {@code ?v=} changes with the image, so it can be cached long. */
    public static String url(UUID programId, String sha256) {
        return path(programId, version(sha256));
    }

    private static String path(UUID programId, String version) {
        return "/v1/programs/" + Ulid.encode(programId) + "/logo?v=" + version;
    }

    /** The {@code v} of a logo's URLs (the api's and the portal's): the start of the image's hash. */
    public static String version(String sha256) {
        return sha256.substring(0, 12);
    }

    /** The storage key of a logo: named by its program and its content, so it never needs a lookup to be unique. */
    public static String key(UUID programId, String sha256, String contentType) {
        return "logos/" + Ulid.encode(programId).toLowerCase(java.util.Locale.ROOT) + "/" + sha256
                + (contentType.equals("image/jpeg") ? ".jpg" : ".png");
    }

    /**
     * Whether {@code bytes} are a logo as this api stores them, for an import: the SHA-256 the row
     * names, and the magic bytes of the type it names (PNG or JPEG). An import never brings in
     * what an upload would have refused.
     */
    public static boolean isStoredLogo(byte[] bytes, String sha256, String contentType) {
        if (!sha256(bytes).equals(sha256)) {
            return false;
        }
        try {
            LogoImage.Kind kind = LogoImage.sniff(bytes);
            return (kind == LogoImage.Kind.PNG && contentType.equals("image/png"))
                    || (kind == LogoImage.Kind.JPEG && contentType.equals("image/jpeg"));
        } catch (clickledger.web.ApiException e) {
            return false;
        }
    }

    public boolean programExists(UUID programId) {
        return dsl.fetchExists(dsl.selectOne().from("program").where("id = ?", programId));
    }

    /** Checks, re-encodes and stores an upload as the program's logo. */
    public Logo replace(UUID programId, byte[] upload, Principal actor) throws IOException {
        LogoImage image = LogoImage.from(upload);
        String sha256 = sha256(image.bytes());
        String key = key(programId, sha256, image.contentType());
        storage.put(key, image.bytes(), image.contentType());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<String> previous = dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            Optional<String> old = trx.fetchOptional(
                            "select storage_key from program_logo where program_id = ? for update", programId)
                    .map(row -> row.get(0, String.class));
            trx.execute(
                    """
                    insert into program_logo (program_id, storage_key, content_type, byte_size, width, height, sha256,
                        updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, cast(? as timestamptz))
                    on conflict (program_id) do update set storage_key = excluded.storage_key,
                        content_type = excluded.content_type, byte_size = excluded.byte_size, width = excluded.width,
                        height = excluded.height, sha256 = excluded.sha256, updated_at = excluded.updated_at""",
                    programId,
                    key,
                    image.contentType(),
                    image.bytes().length,
                    image.width(),
                    image.height(),
                    sha256,
                    OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("contentType", image.contentType());
            details.put("bytes", image.bytes().length);
            details.put("width", image.width());
            details.put("height", image.height());
            details.put("sha256", sha256);
            new AuditRepository(trx)
                    .append(new AuditEntry(
                            now, actor.actor(), "program.logo_updated", "program", Ulid.encode(programId), details));
            return old;
        });
        previous.filter(old -> !old.equals(key)).ifPresent(this::removeQuietly);
        return new Logo(
                Ulid.encode(programId),
                url(programId, sha256),
                image.contentType(),
                image.width(),
                image.height(),
                image.bytes().length,
                sha256,
                now);
    }

    /** Removes the program's logo; false when it had none. */
    public boolean remove(UUID programId, Principal actor) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<String> removed = dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            Optional<String> key = trx.fetchOptional(
                            "delete from program_logo where program_id = ? returning storage_key", programId)
                    .map(row -> row.get(0, String.class));
            key.ifPresent(k -> new AuditRepository(trx)
                    .append(new AuditEntry(
                            now, actor.actor(), "program.logo_removed", "program", Ulid.encode(programId), Map.of())));
            return key;
        });
        removed.ifPresent(this::removeQuietly);
        return removed.isPresent();
    }

    public Optional<Logo> find(UUID programId) {
        return dsl.fetchOptional(
                        "select content_type, width, height, byte_size, sha256, updated_at from program_logo"
                                + " where program_id = ?",
                        programId)
                .map(row -> logo(programId, row));
    }

    /** The current logo and its bytes; empty when there is none (or its object went missing, which is logged). */
    public Optional<Served> serve(UUID programId) throws IOException {
        Optional<Record> row = dsl.fetchOptional(
                "select content_type, width, height, byte_size, sha256, updated_at, storage_key from program_logo"
                        + " where program_id = ?",
                programId);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        String key = row.get().get(6, String.class);
        Optional<byte[]> body = storage.get(key);
        if (body.isEmpty()) {
            LOG.atError()
                    .addKeyValue("program", Ulid.encode(programId))
                    .addKeyValue("object", storage.describe() + "/" + key)
                    .log(
                            "program logo object is missing from the storage; was the storage restored with the database?");
            return Optional.empty();
        }
        return Optional.of(new Served(logo(programId, row.get()), body.get()));
    }

    /** The logo URLs of several programs at once (for program lists), keyed by program id. */
    public static Map<UUID, String> urls(DSLContext dsl, Collection<UUID> programs) {
        Map<UUID, String> urls = new HashMap<>();
        versions(dsl, programs).forEach((id, version) -> urls.put(id, path(id, version)));
        return urls;
    }

    /**
     * The {@link #version} of the logo of each of these programs that has one, keyed by program id:
     * what a URL of the logo on another origin (the portal's, in mail) is built from.
     */
    public static Map<UUID, String> versions(DSLContext dsl, Collection<UUID> programs) {
        Map<UUID, String> versions = new HashMap<>();
        if (programs.isEmpty()) {
            return versions;
        }
        for (Record row : dsl.fetch(
                "select program_id, sha256 from program_logo where program_id = any({0})",
                DSL.val(programs.toArray(UUID[]::new), SQLDataType.UUID.array()))) {
            versions.put(row.get(0, UUID.class), version(row.get(1, String.class)));
        }
        return versions;
    }

    private static Logo logo(UUID programId, Record row) {
        String sha256 = row.get(4, String.class);
        return new Logo(
                Ulid.encode(programId),
                url(programId, sha256),
                row.get(0, String.class),
                row.get(1, Integer.class),
                row.get(2, Integer.class),
                row.get(3, Integer.class),
                sha256,
                row.get(5, OffsetDateTime.class).toInstant());
    }

    private void removeQuietly(String key) {
        try {
            storage.delete(key);
        } catch (IOException | RuntimeException e) {
            // The row no longer names it: an orphaned object costs a few KB, never a broken logo.
            LOG.atWarn().setCause(e).addKeyValue("object", key).log("could not remove a replaced program logo");
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.digest(bytes));
    }
}
