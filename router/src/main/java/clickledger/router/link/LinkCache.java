package clickledger.router.link;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every link by slug, in memory, so a redirect never reads PostgreSQL. Bounded by the number of
 * links in the database (a million links measured at well under 512 MB of heap is the target of
 * the benchmark issue); there is nothing to evict because a miss is answered 404 without a query.
 */
public final class LinkCache {
    private final ConcurrentHashMap<String, LinkTarget> bySlug;
    private final ConcurrentHashMap<UUID, String> slugById;
    private volatile boolean loaded;

    public LinkCache() {
        this(1 << 12);
    }

    /**
     * @param expectedLinks how many links the first load will bring; sizing the maps for them up
     *     front spares the ~9 doublings (and rehashes) that a million links would otherwise cost
     */
    public LinkCache(int expectedLinks) {
        int capacity = Math.max(1 << 12, expectedLinks + expectedLinks / 8);
        this.bySlug = new ConcurrentHashMap<>(capacity);
        this.slugById = new ConcurrentHashMap<>(capacity);
    }

    /** The hot-path lookup. */
    public LinkTarget get(String slug) {
        return bySlug.get(slug);
    }

    public boolean loaded() {
        return loaded;
    }

    public int size() {
        return bySlug.size();
    }

    public void put(LinkTarget target) {
        String previousSlug = slugById.put(target.linkId(), target.slug());
        bySlug.put(target.slug(), target);
        if (previousSlug != null && !previousSlug.equals(target.slug())) {
            bySlug.remove(previousSlug, bySlug.get(previousSlug));
        }
    }

    public void removeLink(UUID linkId) {
        String slug = slugById.remove(linkId);
        if (slug != null) {
            bySlug.remove(slug);
        }
    }

    /** After a full reload: drop links that no longer exist, then mark the cache usable. */
    void retainOnly(UuidSet seen) {
        List<UUID> gone = new ArrayList<>();
        for (UUID id : slugById.keySet()) {
            if (!seen.contains(id)) {
                gone.add(id);
            }
        }
        gone.forEach(this::removeLink);
        loaded = true;
    }

    public Set<UUID> linkIds() {
        return new HashSet<>(slugById.keySet());
    }
}
