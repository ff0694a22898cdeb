package clickledger.api.link;

import clickledger.api.value.Slug;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * Short slugs for links created without one: 7 characters from an alphabet without look-alikes
 * (0/O/o, 1/l/I/i), since people read these off slides and retype them. 55^7 is about 1.5e12, so a
 * collision is rare and the caller simply draws again. SecureRandom keeps slugs unguessable, so
 * nobody can walk the link space to discover partners.
 */
public final class RandomSlugs implements Supplier<Slug> {
    public static final int LENGTH = 7;
    static final String ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

    private final SecureRandom random = new SecureRandom();

    @Override
    public Slug get() {
        char[] slug = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            slug[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new Slug(new String(slug));
    }
}
