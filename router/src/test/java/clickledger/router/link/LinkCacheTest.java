package clickledger.router.link;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LinkCacheTest {
    private static final UUID PROGRAM = UUID.randomUUID();
    private static final UUID PARTNER = UUID.randomUUID();

    private static LinkTarget target(UUID id, String slug, String url) {
        Destination destination = Destination.parse(url);
        return new LinkTarget(
                id.getMostSignificantBits(),
                id.getLeastSignificantBits(),
                slug,
                PROGRAM,
                PARTNER,
                destination,
                destination,
                true,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                3600,
                (id.getLeastSignificantBits() * 31 + slug.hashCode()) ^ url.hashCode(),
                0,
                0,
                Long.MAX_VALUE,
                null,
                DeepLinks.of(url, null));
    }

    @Test
    void findsEveryLinkBySlugAcrossGrowthAndRemovesByIdAndMissesTheRest() {
        LinkCache cache = new LinkCache(0);
        List<LinkTarget> targets = new ArrayList<>();
        long millis = System.currentTimeMillis();
        for (int i = 0; i < 40_000; i++) {
            LinkTarget link = target(Ulid.newUuidV7(millis + i / 1_000), "s-" + i, "https://shop.example/p?i=" + i);
            targets.add(link);
            cache.put(link);
        }
        assertThat(cache.size()).isEqualTo(40_000);
        assertThat(targets).allMatch(link -> cache.get(link.slug()) == link);
        assertThat(cache.get("s-40000")).isNull();
        assertThat(cache.get("")).isNull();

        for (int i = 0; i < 40_000; i += 2) {
            cache.removeLink(targets.get(i).linkId());
        }
        assertThat(cache.size()).isEqualTo(20_000);
        for (int i = 0; i < 40_000; i++) {
            assertThat(cache.get("s-" + i)).isEqualTo(i % 2 == 0 ? null : targets.get(i));
        }
        // Removed slots are reused and cleaned up, so churn does not grow the arrays without end.
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 40_000; i += 2) {
                cache.put(targets.get(i));
                cache.removeLink(targets.get(i).linkId());
            }
        }
        assertThat(cache.size()).isEqualTo(20_000);
        assertThat(cache.get("s-1")).isSameAs(targets.get(1));
        long fingerprint = 0;
        for (int i = 1; i < 40_000; i += 2) {
            fingerprint ^= targets.get(i).rowHash();
        }
        assertThat(cache.fingerprint()).isEqualTo(fingerprint);
    }

    @Test
    void anUnchangedLinkKeepsItsObjectsAndAChangedOneIsReplaced() {
        LinkCache cache = new LinkCache(4);
        UUID id = UUID.randomUUID();
        LinkTarget first = target(id, "ada", "https://shop.example/?a=1#top");
        cache.put(first);

        cache.put(target(id, new String("ada"), "https://shop.example/?a=1#top"));
        assertThat(cache.get("ada")).isSameAs(first);

        LinkTarget moved = target(id, "ada", "https://shop.example/other");
        cache.put(moved);
        assertThat(cache.get("ada")).isSameAs(moved);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aRenamedSlugStopsAnsweringAndASlugPassedOnBelongsToItsNewLink() {
        LinkCache cache = new LinkCache(4);
        UUID ada = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        cache.put(target(ada, "ada", "https://shop.example/a"));
        cache.put(target(bob, "bob", "https://shop.example/b"));

        cache.put(target(ada, "ada-2", "https://shop.example/a"));
        assertThat(cache.get("ada")).isNull();
        assertThat(cache.get("ada-2").linkId()).isEqualTo(ada);

        // bob takes "ada-2" before ada's rename to "ada-3" arrives: the slug is bob's at once.
        cache.put(target(bob, "ada-2", "https://shop.example/b"));
        assertThat(cache.get("ada-2").linkId()).isEqualTo(bob);
        assertThat(cache.get("bob")).isNull();
        cache.put(target(ada, "ada-3", "https://shop.example/a"));
        assertThat(cache.get("ada-2").linkId()).isEqualTo(bob);
        assertThat(cache.get("ada-3").linkId()).isEqualTo(ada);
        assertThat(cache.size()).isEqualTo(2);

        // Removing ada must not take bob's slug with it.
        cache.removeLink(ada);
        assertThat(cache.get("ada-3")).isNull();
        assertThat(cache.get("ada-2").linkId()).isEqualTo(bob);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void retainOnlyDropsTheLinksAReloadDidNotSeeAndMarksTheCacheLoaded() {
        LinkCache cache = new LinkCache(4);
        UUID kept = UUID.randomUUID();
        UUID gone = UUID.randomUUID();
        cache.put(target(kept, "kept", "https://shop.example/k"));
        cache.put(target(gone, "gone", "https://shop.example/g"));
        UuidSet seen = new UuidSet(1);
        seen.add(kept);
        assertThat(cache.loaded()).isFalse();

        cache.retainOnly(seen);

        assertThat(cache.loaded()).isTrue();
        assertThat(cache.get("kept")).isNotNull();
        assertThat(cache.get("gone")).isNull();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void readersNeverMissALinkWhileAWriterGrowsAndChurnsTheCache() throws InterruptedException {
        LinkCache cache = new LinkCache(0);
        LinkTarget steady = target(UUID.randomUUID(), "steady", "https://shop.example/s");
        cache.put(steady);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (writing.get()) {
                    if (cache.get("steady") != steady) {
                        failure.set("steady link missed");
                    }
                }
            }));
        }
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            cache.put(target(id, "c-" + i, "https://shop.example/c"));
            if (i % 3 == 0) {
                cache.removeLink(ids.get(i / 2));
            }
        }
        writing.set(false);
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(cache.get("steady")).isSameAs(steady);
    }
}
