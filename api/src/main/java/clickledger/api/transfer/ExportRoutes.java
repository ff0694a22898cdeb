package clickledger.api.transfer;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.Ids;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/export} streams an export as it is read; {@code POST /v1/import} takes a
 * clickledger JSON export (the zip) or OpenPartner's JSON export and answers with the report.
 */
public final class ExportRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ExportRoutes.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Transfer transfer;
    private final Clock clock;

    public ExportRoutes(Transfer transfer, Clock clock) {
        this.transfer = requireNonNull(transfer, "transfer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/export", this::export);
        routes.post("/v1/import", this::importData);
    }

    /** The {@code tables=} list: every table when empty; an unknown name is a 400 naming it. */
    public static List<TransferTable> tables(String text) {
        if (text == null || text.isBlank()) {
            return List.of(TransferTable.values());
        }
        List<TransferTable> wanted = new ArrayList<>();
        for (String name : text.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            TransferTable table = TransferTable.byName(name)
                    .orElseThrow(() -> ApiException.badRequest(
                            "tables",
                            "\"" + name.trim() + "\" is not one of " + String.join(", ", TransferTable.names())));
            if (!wanted.contains(table)) {
                wanted.add(table);
            }
        }
        // Import order, whatever order they were asked in.
        wanted.sort(null);
        return wanted;
    }

    private void export(Context ctx) {
        ExportFormat format =
                ExportFormat.fromWire("format", ctx.queryParam("format") == null ? "json" : ctx.queryParam("format"));
        List<TransferTable> tables = tables(ctx.queryParam("tables"));
        String program = ctx.queryParam("programId");
        UUID programId = program == null || program.isBlank() ? null : Ids.parse("programId", program);
        if (programId != null && !transfer.programExists(programId)) {
            throw ApiException.notFound("program " + program);
        }
        Exporter.Request request = new Exporter.Request(format, tables, programId);
        transfer.auditExport(request, Principal.of(ctx));
        String name =
                "clickledger-export-" + STAMP.format(clock.instant().atOffset(ZoneOffset.UTC)) + format.fileSuffix();
        ctx.status(200)
                .contentType(format.contentType())
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store");
        try (OutputStream out = ctx.outputStream()) {
            transfer.exporter().export(request, out, Progress.NONE);
        } catch (IOException | SQLException e) {
            // The status line is gone by now: the client sees a cut-off download, whose zip does
            // not open (or whose script lacks its COMMIT), never a partial export that looks whole.
            LOG.atError().setCause(e).log("export failed midway");
            throw new UncheckedIOException(new IOException("export failed: " + e.getMessage(), e));
        }
    }

    private void importData(Context ctx) {
        Path upload = null;
        try {
            upload = Files.createTempFile("clickledger-import", ".upload");
            try (InputStream in = ctx.bodyInputStream()) {
                Files.copy(in, upload, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(upload) == 0) {
                throw ApiException.badRequest("body", "is empty; send the export file as the body");
            }
            ctx.json(transfer.importFile(upload, Principal.of(ctx), Progress.NONE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("import failed: " + e.getMessage(), e);
        } finally {
            if (upload != null) {
                try {
                    Files.deleteIfExists(upload);
                } catch (IOException e) {
                    LOG.atWarn().addKeyValue("file", upload).log("could not delete the uploaded import");
                }
            }
        }
    }
}
