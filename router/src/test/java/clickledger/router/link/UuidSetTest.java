package clickledger.router.link;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidSetTest {
    @Test
    void holdsEveryAddedIdAcrossGrowthAndNothingElse() {
        UuidSet set = new UuidSet(4);
        List<UUID> added = new ArrayList<>();
        long millis = System.currentTimeMillis();
        for (int i = 0; i < 50_000; i++) {
            // Many ids of one millisecond: they share their leading bits, the worst case for a hash.
            UUID id = Ulid.newUuidV7(millis + i / 1_000);
            added.add(id);
            set.add(id);
            set.add(id);
        }
        assertThat(set.size()).isEqualTo(50_000);
        assertThat(added).allMatch(set::contains);
        for (int i = 0; i < 1_000; i++) {
            assertThat(set.contains(UUID.randomUUID())).isFalse();
        }
    }
}
