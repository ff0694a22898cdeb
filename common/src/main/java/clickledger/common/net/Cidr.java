package clickledger.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** An address block such as {@code 10.0.0.0/8} or {@code ::1/128}, for TRUSTED_PROXIES (router and api). */
public record Cidr(byte[] network, int prefixLength) {
    public Cidr {
        network = network.clone();
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length out of range");
        }
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    /** Parses {@code address[/prefix]}; a bare address is a single host. Empty if malformed. */
    public static Optional<Cidr> parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        Optional<InetAddress> parsed = IpLiteral.parse(address);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = parsed.get().getAddress();
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(bytes, prefix));
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remainingBits)) & 0xFF;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /** Literal IP parsing that never falls back to a DNS lookup, unlike InetAddress.getByName. */
    public static final class IpLiteral {
        private IpLiteral() {}

        public static Optional<InetAddress> parse(String text) {
            if (text == null || text.isEmpty() || text.length() > 45) {
                return Optional.empty();
            }
            String value = text;
            if (value.startsWith("[") && value.endsWith("]")) {
                value = value.substring(1, value.length() - 1);
            }
            boolean colon = value.indexOf(':') >= 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean ok = (c >= '0' && c <= '9')
                        || c == '.'
                        || (colon && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
                if (!ok) {
                    return Optional.empty();
                }
            }
            if (!colon && !isDottedQuad(value)) {
                return Optional.empty();
            }
            try {
                // Only digits, dots, colons and hex remain, so this cannot trigger name resolution.
                return Optional.of(InetAddress.getByName(value));
            } catch (UnknownHostException | SecurityException e) {
                return Optional.empty();
            }
        }

        private static boolean isDottedQuad(String value) {
            int parts = 0;
            int digits = 0;
            int octet = 0;
            for (int i = 0; i <= value.length(); i++) {
                if (i == value.length() || value.charAt(i) == '.') {
                    if (digits == 0 || octet > 255) {
                        return false;
                    }
                    parts++;
                    digits = 0;
                    octet = 0;
                    continue;
                }
                octet = octet * 10 + (value.charAt(i) - '0');
                if (++digits > 3) {
                    return false;
                }
            }
            return parts == 4;
        }
    }
}
