package clickledger.api.secret;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets the api must read back (webhook signing secrets; later SMTP passwords) under
 * SECRETS_ENCRYPTION_KEY with AES-256-GCM, so a database dump or backup alone does not reveal them.
 *
 * <p>A sealed value is {@code version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)}.
 * The nonce is random per seal: with 96-bit random nonces, NIST SP 800-38D keeps the collision risk
 * acceptable up to 2^32 seals under one key, far beyond the number of secrets this stores. The
 * caller's context (such as the row's id) is bound as associated data, so a sealed value copied
 * into another row does not open there. The version byte leaves room for re-keying later.
 */
public final class SecretBox {
    public static final int KEY_BYTES = 32;
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Empty when the text is not base64 of exactly 32 bytes. */
    public static Optional<SecretBox> fromBase64(String text) {
        requireNonNull(text, "text is null");
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            try {
                key = Base64.getUrlDecoder().decode(text.trim());
            } catch (IllegalArgumentException urlSafeToo) {
                return Optional.empty();
            }
        }
        return key.length == KEY_BYTES ? Optional.of(new SecretBox(key)) : Optional.empty();
    }

    public byte[] seal(String secret, String context) {
        requireNonNull(secret, "secret is null");
        requireNonNull(context, "context is null");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /**
     * @throws IllegalStateException when the value was sealed under another key or context, or was
     *     altered; the message never contains key material
     */
    public String open(byte[] sealed, String context) {
        requireNonNull(sealed, "sealed is null");
        requireNonNull(context, "context is null");
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalStateException("sealed secret has an unknown format");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException(
                    "sealed secret does not open: SECRETS_ENCRYPTION_KEY differs from the one it was sealed with,"
                            + " or the value was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /** Same key; so two configurations read from the same environment are equal. Constant-time. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SecretBox box && MessageDigest.isEqual(key.getEncoded(), box.key.getEncoded());
    }

    @Override
    public int hashCode() {
        return 0; // a hash would leak bits of the key; boxes are not map keys
    }

    @Override
    public String toString() {
        return "SecretBox[<redacted>]";
    }
}
