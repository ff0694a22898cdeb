package clickledger.router.link;

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
    private final ConcurrentHashMap<String, LinkTarget> bySlug = new ConcurrentHashMap<>(1 << 12);
    private final ConcurrentHashMap<UUID, String> slugById = new ConcurrentHashMap<>(1 << 12);
    private volatile boolean loaded;

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
    public void retainOnly(Set<UUID> seen) {
        List<UUID> gone =
                slugById.keySet().stream().filter(id -> !seen.contains(id)).toList();
        gone.forEach(this::removeLink);
        loaded = true;
    }

    public Set<UUID> linkIds() {
        return new HashSet<>(slugById.keySet());
    }
}
