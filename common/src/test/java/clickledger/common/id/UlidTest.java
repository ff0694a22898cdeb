package clickledger.common.id;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class UlidTest {
    @Test
    void encodesTo26CharactersAndBack() {
        for (int i = 0; i < 10_000; i++) {
            UUID id = Ulid.newUuidV7(System.currentTimeMillis() + i * 7919L);
            String text = Ulid.encode(id);
            assertThat(text).hasSize(26).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
            assertThat(Ulid.parse(text)).contains(id);
            assertThat(Ulid.parse(text.toLowerCase())).contains(id);
        }
    }

    @Test
    void knownValueMatchesUlidSpec() {
        // All ones is the largest ULID, 7ZZZZZZZZZZZZZZZZZZZZZZZZZ.
        assertThat(Ulid.encode(new UUID(-1L, -1L))).isEqualTo("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        assertThat(Ulid.encode(new UUID(0L, 1L))).isEqualTo("00000000000000000000000001");
    }

    @Test
    void carriesItsTimestampAndVersion() {
        long now = 1_790_000_000_123L;
        UUID id = Ulid.newUuidV7(now);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(Ulid.epochMillis(id)).isEqualTo(now);
    }

    @Test
    void sortsByTime() {
        String earlier = Ulid.encode(Ulid.newUuidV7(1_000_000L));
        String later = Ulid.encode(Ulid.newUuidV7(1_000_001L));
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void idsOfOneMillisecondSortInCreationOrder() {
        String previous = Ulid.encode(Ulid.newUuidV7(5_000L));
        for (int i = 0; i < 1_000; i++) {
            String next = Ulid.encode(Ulid.newUuidV7(5_000L));
            assertThat(next).isGreaterThan(previous);
            assertThat(Ulid.epochMillis(Ulid.parse(next).orElseThrow())).isEqualTo(5_000L);
            previous = next;
        }
    }

    @Test
    void rejectsMalformedText() {
        assertThat(Ulid.parse(null)).isEmpty();
        assertThat(Ulid.parse("")).isEmpty();
        assertThat(Ulid.parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isEmpty();
        assertThat(Ulid.parse("0000000000000000000000000U")).isEmpty();
        assertThat(Ulid.parse("00000000000000000000000é00")).isEmpty();
        assertThat(Ulid.parse("not-a-uuid-but-thirty-six-characters")).isEmpty();
    }
}
