package clickledger.api.transfer;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.compat.OpenPartnerImporter;
import clickledger.api.rederive.RederiveService;
import clickledger.api.secret.SecretBox;
import clickledger.api.stats.ClickRollup;
import clickledger.api.storage.Storage;
import clickledger.common.id.Ulid;
import clickledger.db.DataSources;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.db.jooq.Tables;
import clickledger.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Export and import as one service, for the HTTP routes and the CLI alike. Which importer a file
 * goes to is decided by its first bytes: a zip is a clickledger export, a JSON object OpenPartner's.
 */
public final class Transfer {
    private final DSLContext dsl;
    private final Exporter exporter;
    private final Importer importer;
    private final OpenPartnerImporter openPartner;
    private final Clock clock;

    public Transfer(
            DSLContext dsl, Exporter exporter, Importer importer, OpenPartnerImporter openPartner, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.exporter = requireNonNull(exporter, "exporter is null");
        this.importer = requireNonNull(importer, "importer is null");
        this.openPartner = requireNonNull(openPartner, "openPartner is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The whole service over one database, as the api and the CLI build it. Exports and imports
     * run on connections of their own to the direct endpoint: they hold one transaction for
     * minutes, which neither the pool's other users nor a transaction-mode PgBouncer should carry.
     * {@code storage} is the api's: exports read program logos from it, imports write them to it.
     */
    public static Transfer create(Database database, Optional<SecretBox> secrets, Storage storage, Clock clock) {
        DatabaseConfig.Endpoint direct = database.config().direct();
        Exporter.Connections connections = () -> DataSources.directConnection(direct, "clickledger-transfer");
        RederiveService rederive = new RederiveService(database.dsl(), clock);
        ClickRollup rollup = new ClickRollup(database.dsl(), clock);
        return new Transfer(
                database.dsl(),
                new Exporter(connections, storage, clock),
                new Importer(connections, rederive, rollup, secrets, storage, clock),
                new OpenPartnerImporter(connections, rederive, rollup, clock),
                clock);
    }

    public Exporter exporter() {
        return exporter;
    }

    public boolean programExists(UUID programId) {
        return dsl.fetchExists(Tables.PROGRAM, Tables.PROGRAM.ID.eq(programId));
    }

    /** Who took a copy of the data, and of what: an export leaves the building. */
    public void auditExport(Exporter.Request request, Principal actor) {
        Map<String, Object> details = new HashMap<>();
        details.put("format", request.format().wire());
        details.put(
                "tables", request.tables().stream().map(TransferTable::table).toList());
        new AuditRepository(dsl)
                .append(new AuditEntry(
                        clock.instant(),
                        actor.actor(),
                        "data.export",
                        request.programId() == null ? "export" : "program",
                        request.programId() == null ? null : Ulid.encode(request.programId()),
                        details));
    }

    /** The import's report: {@link Importer.Report} or {@link OpenPartnerImporter.Report}. */
    public Object importFile(Path file, Principal actor, Progress progress) throws IOException, SQLException {
        byte[] head = new byte[4];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 2 && head[0] == 'P' && head[1] == 'K') {
            return importer.importZip(file, actor, progress);
        }
        int first = 0;
        while (first < read && Character.isWhitespace(head[first])) {
            first++;
        }
        if (first < read && head[first] == '{') {
            return openPartner.importFile(file, actor, progress);
        }
        throw ApiException.badRequest(
                "file", "is neither a clickledger export (a zip) nor an OpenPartner export (JSON)");
    }
}
