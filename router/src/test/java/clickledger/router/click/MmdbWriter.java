package clickledger.router.click;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small MaxMind DB file (format 2.0: a binary search tree of 24-bit records, a data
 * section, a metadata map), so tests get a real database the real reader opens, without a
 * download. IPv6 tree; IPv4 networks live under ::/96, as in MaxMind's own files. Values are maps,
 * strings and unsigned ints: all a country database needs.
 */
public final class MmdbWriter {
    private static final byte[] METADATA_MARKER = {
        (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'
    };

    // MaxMind's unsigned types; the reader maps each onto a Java type, so they must be exact.
    record U16(int value) {}

    record U32(long value) {}

    record U64(long value) {}

    private static final class Node {
        Object[] children = new Object[2]; // Node, Integer (data offset) or null
    }

    static final long BUILD_EPOCH = 1_764_979_200L;

    private final Node root = new Node();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final String databaseType;

    public MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    /** A GeoLite2-style record: {@code {"country": {"iso_code": iso}}}. */
    public MmdbWriter geoLite(String cidr, String iso) throws IOException {
        Map<String, Object> country = new LinkedHashMap<>();
        country.put("geoname_id", new U32(2921044L));
        country.put("iso_code", iso);
        country.put("names", Map.of("en", "Somewhere"));
        return insert(cidr, Map.of("country", country, "continent", Map.of("code", "EU")));
    }

    /** An ip-location-db-style record: {@code {"country_code": iso}}. */
    public MmdbWriter flat(String cidr, String iso) throws IOException {
        return insert(cidr, Map.of("country_code", iso));
    }

    public MmdbWriter insert(String cidr, Map<String, Object> value) throws IOException {
        int slash = cidr.indexOf('/');
        InetAddress address = InetAddress.getByName(cidr.substring(0, slash));
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            byte[] v6 = new byte[16];
            System.arraycopy(bytes, 0, v6, 12, 4);
            bytes = v6;
            prefix += 96;
        }
        int offset = data.size();
        encode(data, value);
        Node node = root;
        for (int bit = 0; bit < prefix - 1; bit++) {
            int b = (bytes[bit / 8] >> (7 - bit % 8)) & 1;
            if (!(node.children[b] instanceof Node)) {
                node.children[b] = new Node();
            }
            node = (Node) node.children[b];
        }
        int last = (bytes[(prefix - 1) / 8] >> (7 - (prefix - 1) % 8)) & 1;
        node.children[last] = offset;
        return this;
    }

    public void write(Path file) throws IOException {
        Files.write(file, bytes());
    }

    public byte[] bytes() throws IOException {
        List<Node> nodes = new ArrayList<>();
        Map<Node, Integer> numbers = new IdentityHashMap<>();
        number(root, nodes, numbers);
        long nodeCount = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node node : nodes) {
            for (Object child : node.children) {
                long record;
                if (child instanceof Node next) {
                    record = numbers.get(next);
                } else if (child instanceof Integer offset) {
                    record = nodeCount + 16 + offset;
                } else {
                    record = nodeCount; // no data
                }
                out.write((int) (record >> 16) & 0xFF);
                out.write((int) (record >> 8) & 0xFF);
                out.write((int) record & 0xFF);
            }
        }
        out.write(new byte[16]);
        data.writeTo(out);
        out.write(METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", new U32(nodeCount));
        metadata.put("record_size", new U16(24));
        metadata.put("ip_version", new U16(6));
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new U16(2));
        metadata.put("binary_format_minor_version", new U16(0));
        metadata.put("build_epoch", new U64(BUILD_EPOCH));
        metadata.put("description", Map.of("en", "clickledger test database"));
        encode(out, metadata);
        return out.toByteArray();
    }

    private static void number(Node node, List<Node> nodes, Map<Node, Integer> numbers) {
        numbers.put(node, nodes.size());
        nodes.add(node);
        for (Object child : node.children) {
            if (child instanceof Node next) {
                number(next, nodes, numbers);
            }
        }
    }

    private static void encode(ByteArrayOutputStream out, Object value) {
        if (value instanceof String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            control(out, 2, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof U16 number) {
            byte[] bytes = unsigned(number.value());
            control(out, 5, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof U32 number) {
            byte[] bytes = unsigned(number.value());
            control(out, 6, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof U64 number) {
            byte[] bytes = unsigned(number.value());
            control(out, 9, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof Map<?, ?> map) {
            control(out, 7, map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                encode(out, entry.getKey());
                encode(out, entry.getValue());
            }
        } else if (value instanceof List<?> list) {
            control(out, 11, list.size());
            for (Object item : list) {
                encode(out, item);
            }
        } else {
            throw new IllegalArgumentException("cannot encode " + value);
        }
    }

    private static byte[] unsigned(long number) {
        int length = 0;
        for (long rest = number; rest != 0; rest >>>= 8) {
            length++;
        }
        byte[] bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            bytes[i] = (byte) number;
            number >>>= 8;
        }
        return bytes;
    }

    private static void control(ByteArrayOutputStream out, int type, int size) {
        int first = (type <= 7 ? type : 0) << 5;
        if (size < 29) {
            out.write(first | size);
            extended(out, type);
        } else if (size < 285) {
            out.write(first | 29);
            extended(out, type);
            out.write(size - 29);
        } else {
            out.write(first | 30);
            extended(out, type);
            out.write((size - 285) >> 8);
            out.write((size - 285) & 0xFF);
        }
    }

    private static void extended(ByteArrayOutputStream out, int type) {
        if (type > 7) {
            out.write(type - 7);
        }
    }
}
