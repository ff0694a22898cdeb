package clickledger.api.person;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code
 * $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}), by Bouncy Castle. The parameters travel with
 * each hash, so raising them later leaves old hashes verifiable, and {@link #needsRehash} tells a
 * successful sign-in to store a fresh one.
 *
 * <p>The defaults are OWASP's first Argon2id recommendation (19 MiB, 2 passes, 1 lane); what they
 * cost on the 2-core box is in docs/decisions/0014-sessions-and-passwords.md. Each hash holds its
 * memory for its whole run, so at most {@link #concurrency} run at once: a flood of sign-ins
 * queues here (on virtual threads, which wait cheaply) instead of multiplying 19 MiB by the
 * number of requests.
 */
public final class PasswordHasher {
    /** Memory, passes and lanes of a hash: the cost an attacker pays per guess, and we per sign-in. */
    public record Cost(int memoryKiB, int iterations, int parallelism) {
        public static final Cost OWASP = new Cost(19_456, 2, 1);

        public Cost {
            if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1 || parallelism > 16) {
                throw new IllegalArgumentException(
                        "not an Argon2 cost: " + memoryKiB + "," + iterations + "," + parallelism);
            }
        }
    }

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final String PREFIX = "$argon2id$v=19$";
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
    // A stored hash is ours, but one edited by hand must not make a sign-in allocate gigabytes.
    private static final int MAX_MEMORY_KIB = 1 << 20;
    private static final int MAX_ITERATIONS = 64;

    private final Cost cost;
    private final SecureRandom random = new SecureRandom();
    private final Semaphore running;
    private final int concurrency;
    private final String dummyHash;

    public PasswordHasher(Cost cost) {
        this(cost, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    PasswordHasher(Cost cost, int concurrency) {
        this.cost = cost;
        this.concurrency = concurrency;
        this.running = new Semaphore(concurrency, true);
        byte[] filler = new byte[24];
        random.nextBytes(filler);
        // Verified against when the email is unknown, so that answer takes as long as a wrong password.
        this.dummyHash = hash(B64.encodeToString(filler));
    }

    public Cost cost() {
        return cost;
    }

    public int concurrency() {
        return concurrency;
    }

    /** A new hash with a fresh random salt. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = compute(password, salt, cost, HASH_BYTES);
        return PREFIX + "m=" + cost.memoryKiB() + ",t=" + cost.iterations() + ",p=" + cost.parallelism() + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Whether the password matches the stored hash, compared in constant time. A stored text that
     * is not an Argon2id PHC string matches nothing.
     */
    public boolean verify(String password, String stored) {
        Parsed parsed = parse(stored);
        if (parsed == null) {
            return false;
        }
        byte[] actual = compute(password, parsed.salt(), parsed.cost(), parsed.hash().length);
        return MessageDigest.isEqual(actual, parsed.hash());
    }

    /** Spends the time of a verification on nothing: for an unknown email, so it answers like a wrong password. */
    public void verifyDummy(String password) {
        verify(password, dummyHash);
    }

    /** True when the stored hash was made with other parameters than today's. */
    public boolean needsRehash(String stored) {
        Parsed parsed = parse(stored);
        return parsed == null || !parsed.cost().equals(cost) || parsed.hash().length != HASH_BYTES;
    }

    private byte[] compute(String password, byte[] salt, Cost with, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(with.memoryKiB())
                .withIterations(with.iterations())
                .withParallelism(with.parallelism())
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        running.acquireUninterruptibly();
        try {
            generator.generateBytes(secret, out);
        } finally {
            running.release();
            Arrays.fill(secret, (byte) 0);
        }
        return out;
    }

    private record Parsed(Cost cost, byte[] salt, byte[] hash) {}

    private static Parsed parse(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            int memory = -1;
            int iterations = -1;
            int parallelism = -1;
            for (String setting : parts[0].split(",", -1)) {
                int equals = setting.indexOf('=');
                if (equals < 1) {
                    return null;
                }
                int value = Integer.parseInt(setting.substring(equals + 1));
                switch (setting.substring(0, equals)) {
                    case "m" -> memory = value;
                    case "t" -> iterations = value;
                    case "p" -> parallelism = value;
                    default -> {
                        return null;
                    }
                }
            }
            if (memory > MAX_MEMORY_KIB || iterations > MAX_ITERATIONS) {
                return null;
            }
            byte[] salt = B64_DECODER.decode(parts[1]);
            byte[] hash = B64_DECODER.decode(parts[2]);
            if (salt.length < 8 || hash.length < 16) {
                return null;
            }
            return new Parsed(new Cost(memory, iterations, parallelism), salt, hash);
        } catch (IllegalArgumentException e) {
            // NumberFormatException, bad base64, or a cost Argon2 cannot run: not a hash we made.
            return null;
        }
    }
}
