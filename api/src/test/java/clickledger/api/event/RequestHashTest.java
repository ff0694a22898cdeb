package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The digest that tells a retry from a reuse of an eventId. It is stored with every event, so a
 * retry sent after an upgrade must still digest to the stored value: the pinned digest below is
 * what every earlier build computed for this request.
 */
class RequestHashTest {
    private static final UUID PROGRAM = new UUID(0, 1);

    private static EventRequest request(String metadata) {
        try {
            JsonNode node = metadata == null ? null : Json.MAPPER.readTree(metadata);
            return new EventRequest(
                    "inv_1", "user-1", "purchase", Json.MAPPER.readTree("\"49.00\""), "USD", null, null, node, null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String hash(String metadata) {
        return EventService.requestHash(PROGRAM, request(metadata), 4900L);
    }

    @Test
    void metadataIsDigestedByMeaningWithKeysInAnyOrderAtAnyDepth() {
        String sorted = "{\"a\":{\"c\":null,\"d\":[1,2.5,\"x\",{\"e\":\"y\",\"f\":true}]},\"b\":1}";
        String shuffled = "{\"b\":1,\"a\":{\"d\":[1,2.5,\"x\",{\"f\":true,\"e\":\"y\"}],\"c\":null}}";
        assertThat(hash(shuffled)).isEqualTo(hash(sorted));
        // SHA-256 of the fields joined by NUL, the metadata as sorted JSON (computed independently).
        assertThat(hash(shuffled)).isEqualTo("e2b7f3cec8f0db77fe0121283f61d2a7e041b33d2b2782b69fb037ce087d15b4");
    }

    @Test
    void anyChangeOfMetadataIsAnotherDigest() {
        String base = hash("{\"a\":{\"c\":1,\"d\":[1,2]}}");
        assertThat(hash("{\"a\":{\"c\":2,\"d\":[1,2]}}")).isNotEqualTo(base);
        // Array order is meaning, unlike key order.
        assertThat(hash("{\"a\":{\"c\":1,\"d\":[2,1]}}")).isNotEqualTo(base);
        assertThat(hash("{\"a\":{\"c\":1,\"d\":[1,2],\"e\":null}}")).isNotEqualTo(base);
        assertThat(hash(null)).isNotEqualTo(hash("{}"));
    }
}
