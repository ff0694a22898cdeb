package clickledger.api.transfer;

/** What a long export or import tells whoever watches it; the CLI prints a line from it. */
public interface Progress {
    Progress NONE = new Progress() {};

    /** A table is about to start; {@code estimatedRows} is PostgreSQL's estimate (or the manifest's count). */
    default void table(String table, long estimatedRows) {}

    /** {@code rows} more rows of the current table are done. */
    default void rows(long rows) {}

    default void done() {}
}
