package clickledger.api.transfer;

import clickledger.common.id.Ulid;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The tables an export carries and an import writes, in the order an import must write them
 * (parents before the rows that reference them). Each knows which of its rows belong to one
 * program, which columns reference which parent (so an import can skip a row whose parent is
 * missing instead of failing the whole import), and which columns never leave the database.
 *
 * <p>Derived rollups (click_daily…), the webhook outbox, sessions, API keys and settings are not
 * here: they are rebuilt, transient, or secrets.
 */
public enum TransferTable {
    PROGRAM("program", "id = ?", List.of(), Set.of()),
    // Each row names an image in the storage: a zip export carries the image itself next to the
    // table (storage/<key>), and an import stores it before the row that names it.
    PROGRAM_LOGO("program_logo", "program_id = ?", List.of(new Parent("program_id", "program")), Set.of()),
    PARTNER(
            "partner",
            "id in (select partner_id from partner_program where program_id = ?"
                    + " union select partner_id from link where program_id = ?)",
            List.of(),
            Set.of()),
    PARTNER_PROGRAM(
            "partner_program",
            "program_id = ?",
            List.of(new Parent("partner_id", "partner"), new Parent("program_id", "program")),
            Set.of()),
    SHORT_DOMAIN("short_domain", "program_id = ?", List.of(new Parent("program_id", "program")), Set.of()),
    LINK(
            "link",
            "program_id = ?",
            List.of(
                    new Parent("program_id", "program"),
                    new Parent("partner_id", "partner"),
                    new Parent("domain_id", "short_domain")),
            Set.of()),
    // Issue 19: a link's tags, after their links.
    LINK_TAG(
            "link_tag",
            "program_id = ?",
            List.of(new Parent("link_id", "link"), new Parent("program_id", "program")),
            Set.of()),
    CLICK("click", "program_id = ?", List.of(), Set.of()),
    IDENTITY("identity", "program_id = ?", List.of(new Parent("program_id", "program")), Set.of()),
    EVENT(
            "event",
            "program_id = ?",
            List.of(new Parent("program_id", "program"), new Parent("refund_of", "event")),
            Set.of()),
    ATTRIBUTION(
            "attribution",
            "program_id = ?",
            List.of(
                    new Parent("event_id", "event"),
                    new Parent("link_id", "link"),
                    new Parent("partner_id", "partner"),
                    new Parent("program_id", "program")),
            Set.of()),
    PAYOUT(
            "payout",
            "program_id = ?",
            List.of(new Parent("partner_id", "partner"), new Parent("program_id", "program")),
            Set.of()),
    COMMISSION(
            "commission",
            "program_id = ?",
            List.of(
                    new Parent("event_id", "event"),
                    new Parent("attribution_id", "attribution"),
                    new Parent("partner_id", "partner"),
                    new Parent("program_id", "program"),
                    new Parent("payout_id", "payout"),
                    new Parent("reverses_id", "commission")),
            Set.of()),
    // Endpoints belong to the whole install, not to a program: a program's export carries them
    // too, since its events are what they receive. The signing secrets stay behind.
    WEBHOOK_ENDPOINT("webhook_endpoint", null, List.of(), Set.of("secret_enc", "previous_secret_enc")),
    AUDIT_LOG("audit_log", "entity = 'program' and entity_id = ?", List.of(), Set.of());

    /** A column that references another table's id. */
    public record Parent(String column, String table) {}

    private final String table;
    private final String programScope;
    private final List<Parent> parents;
    private final Set<String> withheld;

    TransferTable(String table, String programScope, List<Parent> parents, Set<String> withheld) {
        this.table = table;
        this.programScope = programScope;
        this.parents = parents;
        this.withheld = withheld;
    }

    /** The table's name in the database, in the export's file names and in {@code tables=}. */
    public String table() {
        return table;
    }

    /**
     * The condition selecting one program's rows, with one {@code ?} per program reference; null
     * when every row goes with any program's export.
     */
    public String programScope() {
        return programScope;
    }

    public List<Parent> parents() {
        return parents;
    }

    /** Columns never exported: secrets sealed with this install's key. */
    public Set<String> withheld() {
        return withheld;
    }

    /**
     * Whether the rows name objects in the api's storage (program logos): zip exports carry those
     * objects, the SQL form (which psql restores, and which cannot write the storage) carries
     * neither the rows nor the objects.
     */
    public boolean namesStoredObjects() {
        return this == PROGRAM_LOGO;
    }

    /** Parents in the same table (a refund's event, a reversal's commission): written in a second pass. */
    public Optional<Parent> selfReference() {
        return parents.stream().filter(parent -> parent.table().equals(table)).findFirst();
    }

    /**
     * The SQL condition selecting {@code programId}'s rows, or {@code true}. The id is written as a
     * literal (COPY takes no parameters); it is a parsed UUID, so it cannot carry SQL.
     */
    public String condition(UUID programId) {
        if (programId == null || programScope == null) {
            return "true";
        }
        // The audit trail names programs by their public (ULID) id; the tables by uuid.
        String literal = this == AUDIT_LOG ? "'" + Ulid.encode(programId) + "'" : "'" + programId + "'::uuid";
        return programScope.replace("?", literal);
    }

    public static Optional<TransferTable> byName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(table -> table.table.equals(wanted))
                .findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(TransferTable::table).toList();
    }
}
