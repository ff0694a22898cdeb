package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The portal is a client of the api over HTTP: its own code never touches the api's, the router's
 * or the database's classes (they are on the test classpath only, for the browser journey).
 */
class PortalBoundaryTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\bclickledger\\.(api|router|db|testkit)\\.|\\bjava\\.sql\\.|\\borg\\.jooq\\.|\\bjavax\\.sql\\.");

    @Test
    void mainCodeImportsNeitherTheApiNorTheDatabase() throws IOException {
        Path main = Path.of("src", "main", "java");
        assertThat(main).isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(path ->
                            path.toString().endsWith(".java") || path.toString().endsWith(".jte"))
                    .filter(path -> {
                        try {
                            return FORBIDDEN.matcher(Files.readString(path)).find();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString)
                    .toList();
        }
        assertThat(offenders).isEmpty();
    }
}
