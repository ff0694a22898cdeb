package clickledger.api.transfer;

import clickledger.api.compat.OpenPartnerImporter;

/** An import's report as the CLI prints it: a line per table, then what to look at. */
final class ImportSummary {
    private ImportSummary() {}

    static String text(Object report) {
        StringBuilder out = new StringBuilder();
        if (report instanceof Importer.Report clickledger) {
            out.append("Imported a clickledger export of schema version ")
                    .append(clickledger.schemaVersion())
                    .append(":\n");
            out.append(String.format(
                    "  %-17s %12s %12s %12s %14s%n", "table", "rows", "inserted", "conflicts", "no parent"));
            for (Importer.TableResult table : clickledger.tables()) {
                out.append(String.format(
                        "  %-17s %,12d %,12d %,12d %,14d%n",
                        table.table(), table.rows(), table.inserted(), table.conflicts(), table.missingParent()));
            }
            for (Importer.ProgramCheck check : clickledger.rederivation()) {
                out.append(String.format(
                        "  re-derivation of program %s over %d events: %d added, %d changed, %d removed%n",
                        check.programId(), check.events(), check.added(), check.changed(), check.removed()));
            }
            clickledger
                    .notes()
                    .forEach(note -> out.append("  note: ").append(note).append('\n'));
        } else if (report instanceof OpenPartnerImporter.Report openPartner) {
            out.append("Imported an OpenPartner export of schema version ")
                    .append(openPartner.schemaVersion())
                    .append(":\n");
            for (OpenPartnerImporter.Mapped table : openPartner.tables()) {
                out.append(String.format(
                        "  %-17s %,12d staged %,12d imported %,12d skipped%s%n",
                        table.table(),
                        table.staged(),
                        table.imported(),
                        table.skipped(),
                        table.note() == null ? "" : "  (" + table.note() + ")"));
            }
            for (OpenPartnerImporter.PartnerTotal total : openPartner.partners()) {
                out.append(String.format(
                        "  partner %s: OpenPartner %s %s, clickledger %s %s%n",
                        total.partnerId(),
                        total.openPartner(),
                        total.currency(),
                        total.clickledger(),
                        total.currency()));
            }
            openPartner
                    .notes()
                    .forEach(note -> out.append("  note: ").append(note).append('\n'));
            openPartner
                    .notMapped()
                    .forEach(note -> out.append("  not mapped: ").append(note).append('\n'));
        }
        return out.toString().stripTrailing();
    }
}
