package clickledger.router.link;

import clickledger.router.domain.Domain;
import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The link cache on disk, so a router can start and redirect while PostgreSQL is down
 * (docs/decisions/0011): {@code links.snapshot} in the router's data directory (CLICK_SPOOL_DIR),
 * with the IP-hash salt, since a click cannot be hashed without it. Written atomically: to a
 * temporary file, fsync'd, renamed over the old one, the directory fsync'd; a torn or foreign
 * file fails its CRC32C and is ignored. Mode 600: the salt is what keeps IP hashes from being
 * reversed.
 *
 * <p>Format: magic, salt, the custom domains, the distinct program destinations, then per link its
 * fields with the link's own destination inline only when it differs from its program's, its
 * domain's id, its expiry, expired URL and its program's allowed deep-link hosts; a CRC32C of it all
 * last. A snapshot of the first format ({@code CLLINKS1}: no domains, no expiry, written by a router
 * before issue 19) still loads, so an upgraded router starting while PostgreSQL is down keeps
 * redirecting (the database's reload corrects what it lacks).
 */
public final class LinkSnapshot {
    static final String FILE = "links.snapshot";
    private static final String TEMPORARY = "links.snapshot.tmp";
    private static final long MAGIC_V1 = 0x434c4c494e4b5331L; // "CLLINKS1"
    // "CLLINKS3": custom domains (decision 0024), expiry and deep links (decision 0025). Two
    // branches each wrote a "CLLINKS2" of their own; neither was released, so 2 is never read.
    private static final long MAGIC = 0x434c4c494e4b5333L;

    /**
     * What a read found: the salt, how many links and which fingerprint went into the cache, and
     * the custom domains.
     */
    public record Contents(String salt, int links, long fingerprint, List<Domain> domains) {
        public Contents {
            domains = List.copyOf(domains);
        }
    }

    private LinkSnapshot() {}

    /** Writes every link of {@code cache}, the domains and the salt; returns the count and fingerprint written. */
    public static Contents write(Path directory, String salt, LinkCache cache, List<Domain> domains)
            throws IOException {
        Map<Destination, Integer> programs = new IdentityHashMap<>();
        List<Destination> programList = new ArrayList<>();
        List<LinkTarget> links = new ArrayList<>(cache.size() + 16);
        cache.forEach(target -> {
            links.add(target);
            if (programs.putIfAbsent(target.programDestination(), programList.size()) == null) {
                programList.add(target.programDestination());
            }
        });
        Path temporary = directory.resolve(TEMPORARY);
        Files.deleteIfExists(temporary);
        long fingerprint = 0;
        try (FileChannel channel =
                FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            setOwnerOnly(temporary);
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(
                    new CheckedOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), crc));
            out.writeLong(MAGIC);
            string(out, salt);
            out.writeInt(domains.size());
            for (Domain domain : domains) {
                out.writeLong(domain.idHigh());
                out.writeLong(domain.idLow());
                string(out, domain.hostname());
                out.writeBoolean(domain.dedicated());
                out.writeBoolean(domain.cookieDomain() != null);
                if (domain.cookieDomain() != null) {
                    string(out, domain.cookieDomain());
                }
            }
            out.writeInt(programList.size());
            for (Destination program : programList) {
                string(out, program.url());
            }
            out.writeInt(links.size());
            for (LinkTarget link : links) {
                out.writeLong(link.linkIdHigh());
                out.writeLong(link.linkIdLow());
                string(out, link.slug());
                uuid(out, link.programId());
                uuid(out, link.partnerId());
                out.writeInt(programs.get(link.programDestination()));
                boolean own = link.destination() != link.programDestination();
                out.writeBoolean(own);
                if (own) {
                    string(out, link.destination().url());
                }
                out.writeBoolean(link.statusActive());
                out.writeLong(link.startsAtMillis());
                out.writeLong(link.endsAtMillis());
                out.writeInt(link.cookieMaxAgeSeconds());
                out.writeLong(link.rowHash());
                out.writeLong(link.domainIdHigh());
                out.writeLong(link.domainIdLow());
                out.writeLong(link.expiresAtMillis());
                out.writeBoolean(link.expiredDestination() != null);
                if (link.expiredDestination() != null) {
                    string(out, link.expiredDestination().url());
                }
                String hosts =
                        link.deepLinks() == null ? null : link.deepLinks().allowedHosts();
                string(out, hosts == null ? "" : hosts);
                fingerprint ^= link.rowHash();
            }
            out.flush();
            long checksum = crc.getValue();
            OutputStream raw = Channels.newOutputStream(channel);
            raw.write(new byte[] {
                (byte) (checksum >>> 24), (byte) (checksum >>> 16), (byte) (checksum >>> 8), (byte) checksum
            });
            raw.flush();
            channel.force(true);
        }
        Files.move(
                temporary,
                directory.resolve(FILE),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
        return new Contents(salt, links.size(), fingerprint, domains);
    }

    /**
     * Reads the snapshot in {@code directory} into {@code sink}, link by link, after checking the
     * whole file's checksum first (so a damaged file puts nothing in the cache).
     *
     * @return empty when there is no snapshot
     * @throws IOException when it is there but damaged or unreadable
     */
    public static java.util.Optional<Contents> read(Path directory, Consumer<LinkTarget> sink) throws IOException {
        Path file = directory.resolve(FILE);
        try {
            verify(file);
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            long magic = in.readLong();
            if (magic != MAGIC && magic != MAGIC_V1) {
                throw new IOException(file + " is not a link snapshot");
            }
            boolean current = magic == MAGIC; // else CLLINKS1: no domains, expiry or deep links
            String salt = string(in);
            List<Domain> domains = new ArrayList<>();
            int domainCount = current ? in.readInt() : 0;
            for (int i = 0; i < domainCount; i++) {
                long high = in.readLong();
                long low = in.readLong();
                String hostname = string(in);
                boolean dedicated = in.readBoolean();
                String cookieDomain = in.readBoolean() ? string(in) : null;
                domains.add(new Domain(high, low, hostname, dedicated, cookieDomain));
            }
            int programCount = in.readInt();
            List<Destination> programs = new ArrayList<>(programCount);
            for (int i = 0; i < programCount; i++) {
                programs.add(Destination.parse(string(in)));
            }
            Map<UUID, UUID> owners = new java.util.HashMap<>();
            Map<String, DeepLinks> deepLinks = new java.util.HashMap<>();
            int count = in.readInt();
            long fingerprint = 0;
            for (int i = 0; i < count; i++) {
                long high = in.readLong();
                long low = in.readLong();
                String slug = string(in);
                UUID program = owners.computeIfAbsent(uuid(in), id -> id);
                UUID partner = owners.computeIfAbsent(uuid(in), id -> id);
                Destination programDestination = programs.get(in.readInt());
                Destination destination = in.readBoolean() ? Destination.parse(string(in)) : programDestination;
                boolean active = in.readBoolean();
                long startsAt = in.readLong();
                long endsAt = in.readLong();
                int cookieMaxAge = in.readInt();
                long rowHash = in.readLong();
                long domainHigh = current ? in.readLong() : 0;
                long domainLow = current ? in.readLong() : 0;
                long expiresAt = Long.MAX_VALUE;
                Destination expiredDestination = null;
                String hosts = "";
                if (current) {
                    expiresAt = in.readLong();
                    expiredDestination = in.readBoolean() ? Destination.parse(string(in)) : null;
                    hosts = string(in);
                }
                String programUrl = programDestination.url();
                String allowedHosts = hosts.isEmpty() ? null : hosts;
                DeepLinks programDeepLinks = deepLinks.computeIfAbsent(
                        programUrl + '\n' + hosts, key -> DeepLinks.of(programUrl, allowedHosts));
                LinkTarget target = new LinkTarget(
                        high,
                        low,
                        slug,
                        program,
                        partner,
                        destination,
                        programDestination,
                        active,
                        startsAt,
                        endsAt,
                        cookieMaxAge,
                        rowHash,
                        domainHigh,
                        domainLow,
                        expiresAt,
                        expiredDestination,
                        programDeepLinks);
                fingerprint ^= target.rowHash();
                sink.accept(target);
            }
            return java.util.Optional.of(new Contents(salt, count, fingerprint, domains));
        }
    }

    // The CRC32C over everything but the last four bytes must equal those four bytes.
    private static void verify(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 12) {
            throw new IOException(file + " is cut short");
        }
        CRC32C crc = new CRC32C();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] buffer = new byte[1 << 16];
            long left = size - 4;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new EOFException(file + " ended early");
                }
                crc.update(buffer, 0, read);
                left -= read;
            }
            if ((in.readInt() & 0xFFFFFFFFL) != crc.getValue()) {
                throw new IOException(file + " fails its checksum (torn or damaged)");
            }
        }
    }

    private static void setOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system; the directory's own permissions apply
        }
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
            throw new IOException("link snapshot string length " + length + " out of range");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void uuid(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID uuid(DataInputStream in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
    }
}
