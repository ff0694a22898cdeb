package clickledger.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevDatabaseMainTest {
    @Test
    void embeddedBinariesArePostgres17() throws Exception {
        assertThat(DevDatabaseMain.binariesVersion()).startsWith("17.");
    }

    @Test
    void dataDirectoryOfAnotherMajorIsRefusedWithWhatToDo(@TempDir Path pgDir) throws Exception {
        Files.writeString(pgDir.resolve("PG_VERSION"), "15\n");

        String problem = DevDatabaseMain.otherMajor(pgDir, "17.12.0");

        assertThat(problem)
                .contains("holds a PostgreSQL 15 database")
                .contains("runs PostgreSQL 17")
                .contains("mv " + pgDir + " " + pgDir + "-15")
                .contains("make backup");
    }

    @Test
    void newOrSameMajorDataDirectoryStarts(@TempDir Path pgDir) throws Exception {
        assertThat(DevDatabaseMain.otherMajor(pgDir, "17.12.0")).isNull();
        Files.writeString(pgDir.resolve("PG_VERSION"), "17\n");
        assertThat(DevDatabaseMain.otherMajor(pgDir, "17.12.0")).isNull();
    }
}
