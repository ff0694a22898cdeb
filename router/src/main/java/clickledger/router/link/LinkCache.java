package clickledger.router.link;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Every link by domain and slug, in memory, so a redirect never reads PostgreSQL. Bounded by the number of
 * links in the database; there is nothing to evict because a miss is answered 404 without a
 * query.
 *
 * <p>A million links live here for the router's whole life inside a 512 MB heap (issue 5). Two
 * {@code ConcurrentHashMap}s (by slug, and slug by link id) cost ~230 bytes and six objects a
 * link, which put the live set above G1's marking threshold: the collector then traced it every
 * few seconds, taking CPU from the redirects. So the cache is two open-addressing arrays of
 * {@link LinkTarget} (by slug, by link id): ~145 bytes and three objects a link (the target, its
 * slug and the slug's bytes). Lookups take no lock: the arrays hold immutable records, slots are
 * read with acquire and written with release semantics, and a resize publishes new arrays
 * through a volatile field. Writers (the listener and the reloader) take the monitor.
 */
public final class LinkCache {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(LinkTarget[].class);
    // Marks a removed entry, so probe chains that ran through it stay intact.
    private static final LinkTarget REMOVED =
            new LinkTarget(0, 0, "", null, null, null, null, false, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE, null, null);

    private static final class Tables {
        final LinkTarget[] bySlug;
        final LinkTarget[] byId;

        Tables(int capacity) {
            this.bySlug = new LinkTarget[capacity];
            this.byId = new LinkTarget[capacity];
        }
    }

    private volatile Tables tables;
    private volatile boolean loaded;
    private volatile int size;
    // Slots holding a link or a REMOVED marker, per array; guarded by this.
    private int occupiedBySlug;
    private int occupiedById;
    // XOR of the row hashes of the cached links; guarded by this.
    private long fingerprint;

    public LinkCache() {
        this(0);
    }

    /**
     * @param expectedLinks how many links the first load will bring; sizing the arrays for them up
     *     front spares the doublings (and rehashes) that a million links would otherwise cost
     */
    public LinkCache(int expectedLinks) {
        this.tables = new Tables(capacityFor(expectedLinks));
    }

    /** Sizes the arrays for {@code links} up front, sparing the doublings a large first load would cost. */
    public synchronized void reserve(int links) {
        if (capacityFor(links) > tables.bySlug.length) {
            resize(links);
        }
    }

    /** The link with this slug on the router's default host(s). */
    public LinkTarget get(String slug) {
        return get(0, 0, slug);
    }

    /**
     * The hot-path lookup: the slug on the domain with this id (0, 0 for the default host). The
     * key is the pair itself, hashed together, so no per-request string is built for it.
     */
    public LinkTarget get(long domainHigh, long domainLow, String slug) {
        LinkTarget[] table = tables.bySlug;
        int mask = table.length - 1;
        for (int slot = slugSlot(domainHigh, domainLow, slug, mask); ; slot = (slot + 1) & mask) {
            LinkTarget entry = (LinkTarget) SLOT.getAcquire(table, slot);
            if (entry == null) {
                return null;
            }
            if (entry != REMOVED && entry.isAt(domainHigh, domainLow, slug)) {
                return entry;
            }
        }
    }

    public boolean loaded() {
        return loaded;
    }

    public int size() {
        return size;
    }

    /**
     * The XOR of every cached link's {@link LinkTarget#rowHash()}. When it and {@link #size()}
     * equal the database's {@link LinkRepository#checksum()}, the cache holds exactly what the
     * database does, so the periodic full reload can be skipped: LISTEN/NOTIFY missed nothing.
     */
    public synchronized long fingerprint() {
        return fingerprint;
    }

    /**
     * Stores a link's current state. An unchanged link keeps the objects it has, so a periodic
     * full reload of a million links leaves only young garbage behind instead of replacing the
     * whole live set (which the collector would then have to find and compact in the old
     * generation).
     */
    public synchronized void put(LinkTarget target) {
        Tables current = tables;
        int idSlot = find(current.byId, target.linkIdHigh(), target.linkIdLow());
        LinkTarget previous = idSlot < 0 ? null : current.byId[idSlot];
        if (target.equals(previous)) {
            return;
        }
        // Each put takes at most one empty slot in each array; keep both at most two-thirds full.
        if ((Math.max(occupiedBySlug, occupiedById) + 1) * 3L > current.bySlug.length * 2L) {
            current = resize(size + 1);
            idSlot = find(current.byId, target.linkIdHigh(), target.linkIdLow());
        }
        if (previous != null && !previous.sameAddress(target)) {
            removeSlug(current.bySlug, previous);
        }
        int slugSlot = slugSlotFor(current.bySlug, target);
        LinkTarget displaced = current.bySlug[slugSlot];
        if (displaced == null) {
            occupiedBySlug++;
        } else if (displaced != REMOVED && !displaced.isLink(target.linkIdHigh(), target.linkIdLow())) {
            // Another link held this slug, so its rename has not reached us yet: drop it until its
            // own update brings it back under its new slug.
            int other = find(current.byId, displaced.linkIdHigh(), displaced.linkIdLow());
            if (other >= 0) {
                SLOT.setRelease(current.byId, other, REMOVED);
                fingerprint ^= displaced.rowHash();
                size--;
            }
        }
        SLOT.setRelease(current.bySlug, slugSlot, target);
        if (idSlot < 0) {
            idSlot = freeIdSlot(current.byId, target.linkIdHigh(), target.linkIdLow());
            if (current.byId[idSlot] == null) {
                occupiedById++;
            }
            size++;
        } else {
            fingerprint ^= previous.rowHash();
        }
        fingerprint ^= target.rowHash();
        SLOT.setRelease(current.byId, idSlot, target);
    }

    public void removeLink(UUID linkId) {
        removeLink(linkId.getMostSignificantBits(), linkId.getLeastSignificantBits());
    }

    public synchronized void removeLink(long high, long low) {
        Tables current = tables;
        int idSlot = find(current.byId, high, low);
        if (idSlot < 0) {
            return;
        }
        LinkTarget previous = current.byId[idSlot];
        SLOT.setRelease(current.byId, idSlot, REMOVED);
        removeSlug(current.bySlug, previous);
        fingerprint ^= previous.rowHash();
        size--;
    }

    /**
     * Every cached link, read without the lock: a link changed meanwhile may be seen in either
     * state or, across a resize, missed. {@link LinkSnapshot} counts what it wrote instead of
     * trusting {@link #size()}, and writes again when the two differ.
     */
    void forEach(Consumer<LinkTarget> sink) {
        LinkTarget[] byId = tables.byId;
        for (int slot = 0; slot < byId.length; slot++) {
            LinkTarget entry = (LinkTarget) SLOT.getAcquire(byId, slot);
            if (entry != null && entry != REMOVED) {
                sink.accept(entry);
            }
        }
    }

    /** The links came from a snapshot on disk: usable until the database gives the real ones. */
    void markLoaded() {
        loaded = true;
    }

    /** After a full reload: drop links that no longer exist, then mark the cache usable. */
    void retainOnly(UuidSet seen) {
        List<LinkTarget> gone = new ArrayList<>();
        synchronized (this) {
            for (LinkTarget entry : tables.byId) {
                if (entry != null && entry != REMOVED && !seen.contains(entry.linkIdHigh(), entry.linkIdLow())) {
                    gone.add(entry);
                }
            }
        }
        gone.forEach(entry -> removeLink(entry.linkIdHigh(), entry.linkIdLow()));
        loaded = true;
    }

    // Removes the slug's entry only while it still belongs to this link.
    private void removeSlug(LinkTarget[] bySlug, LinkTarget link) {
        int mask = bySlug.length - 1;
        for (int slot = slugSlot(link, mask); bySlug[slot] != null; slot = (slot + 1) & mask) {
            LinkTarget entry = bySlug[slot];
            if (entry != REMOVED && entry.sameAddress(link)) {
                if (entry.isLink(link.linkIdHigh(), link.linkIdLow())) {
                    SLOT.setRelease(bySlug, slot, REMOVED);
                }
                return;
            }
        }
    }

    // The slot holding this link's domain and slug, else the first free one on its probe chain.
    private static int slugSlotFor(LinkTarget[] bySlug, LinkTarget link) {
        int mask = bySlug.length - 1;
        int free = -1;
        int slot = slugSlot(link, mask);
        for (LinkTarget entry; (entry = bySlug[slot]) != null; slot = (slot + 1) & mask) {
            if (entry == REMOVED) {
                free = free < 0 ? slot : free;
            } else if (entry.sameAddress(link)) {
                return slot;
            }
        }
        return free < 0 ? slot : free;
    }

    private static int find(LinkTarget[] byId, long high, long low) {
        int mask = byId.length - 1;
        for (int slot = idSlot(high, low, mask); byId[slot] != null; slot = (slot + 1) & mask) {
            if (byId[slot] != REMOVED && byId[slot].isLink(high, low)) {
                return slot;
            }
        }
        return -1;
    }

    // Called only when the id is absent: the first REMOVED or empty slot of its chain.
    private static int freeIdSlot(LinkTarget[] byId, long high, long low) {
        int mask = byId.length - 1;
        int slot = idSlot(high, low, mask);
        while (byId[slot] != null && byId[slot] != REMOVED) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    // Rebuilds both arrays without REMOVED markers, doubling them when they are over half full.
    private Tables resize(int links) {
        Tables next = new Tables(capacityFor(links));
        int count = 0;
        for (LinkTarget entry : tables.byId) {
            if (entry != null && entry != REMOVED) {
                next.bySlug[slugSlotFor(next.bySlug, entry)] = entry;
                next.byId[freeIdSlot(next.byId, entry.linkIdHigh(), entry.linkIdLow())] = entry;
                count++;
            }
        }
        occupiedBySlug = count;
        occupiedById = count;
        tables = next;
        return next;
    }

    // A power of two at which the links fill at most half the slots.
    private static int capacityFor(int links) {
        return Integer.highestOneBit(Math.max(16, links) * 2 - 1) << 1;
    }

    private static int slugSlot(LinkTarget link, int mask) {
        return slugSlot(link.domainIdHigh(), link.domainIdLow(), link.slug(), mask);
    }

    // The default host's id is 0, so its links hash exactly as they did before domains existed.
    private static int slugSlot(long domainHigh, long domainLow, String slug, int mask) {
        long domain = domainHigh ^ domainLow;
        int h = (slug.hashCode() ^ (int) domain ^ (int) (domain >>> 32)) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private static int idSlot(long high, long low, int mask) {
        return UuidSet.slot(high, low, mask);
    }
}
