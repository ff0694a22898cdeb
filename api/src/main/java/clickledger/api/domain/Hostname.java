package clickledger.api.domain;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.IDN;
import java.util.Locale;

/**
 * A short domain's host name, as browsers send it in {@code Host} and the router compares it:
 * international names in their punycode (ASCII) form, lower case, without a trailing dot. Only
 * real DNS names a certificate can be issued for: no scheme, port, path or wildcard, no IP
 * address, no {@code localhost}, at least two labels of at most 63 characters each, 253 in all.
 */
public record Hostname(String value) {
    public static final int MAX_LENGTH = 253;
    private static final int MAX_LABEL = 63;
    // Cheap bound on the raw input before any work: an IDN's Unicode form is shorter than its
    // punycode, so anything longer than this cannot fit 253 ASCII characters.
    private static final int MAX_INPUT = 4 * MAX_LENGTH;

    public Hostname {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("value is empty");
        }
    }

    /** Validates and normalises {@code text}; a 400 naming {@code field} when it is not a host name. */
    public static Hostname parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(field, "is required");
        }
        if (text.length() > MAX_INPUT) {
            throw ApiException.badRequest(field, "must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw ApiException.badRequest(field, "must not contain spaces or control characters");
            }
            if (c == '/' || c == ':' || c == '@' || c == '?' || c == '#' || c == '\\' || c == '[' || c == ']') {
                throw ApiException.badRequest(field, "must be a host name only, without scheme, port or path");
            }
            if (c == '*') {
                throw ApiException.badRequest(field, "must not be a wildcard");
            }
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        String ascii;
        try {
            // STD3 rules: letters, digits and hyphens only, no label starting or ending with '-'.
            ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "is not a valid domain name");
        }
        if (ascii.isEmpty() || ascii.length() > MAX_LENGTH) {
            throw ApiException.badRequest(field, "must be at most " + MAX_LENGTH + " characters (in punycode)");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw ApiException.badRequest(field, "must have at least two labels, such as go.example.com");
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw ApiException.badRequest(field, "each label must have 1 to " + MAX_LABEL + " characters");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    throw ApiException.badRequest(field, "is not a valid domain name");
                }
            }
        }
        // A numeric last label is an address (IPv4, or an inet_aton form such as 0x7f.1 or
        // 2130706433.0): no top-level domain is all digits.
        String last = labels[labels.length - 1];
        if (last.chars().allMatch(Character::isDigit) || last.startsWith("0x")) {
            throw ApiException.badRequest(field, "must be a domain name, not an IP address");
        }
        if (last.equals("localhost") || ascii.equals("localhost")) {
            throw ApiException.badRequest(field, "must not be localhost");
        }
        return new Hostname(ascii);
    }

    /** True when this is {@code other} or a subdomain of it. */
    public boolean within(Hostname other) {
        return value.equals(other.value) || value.endsWith("." + other.value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
