package clickledger.docsgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README stays a newcomer's page, and no link of the documentation leads nowhere. */
class DocumentationLinksTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    // Issue 13: the README is what a newcomer needs; the reference lives in docs/.
    private static final int README_LIMIT_BYTES = 15 * 1024;
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

    @Test
    void readmeStaysUnder15Kilobytes() throws IOException {
        assertThat(Files.size(ROOT.resolve("README.md"))).isLessThan(README_LIMIT_BYTES);
    }

    @Test
    void readmeLinksEveryReferencePage() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));

        for (String page : List.of("api", "webhooks", "configuration", "operations", "openpartner")) {
            assertThat(readme).as("README links docs/" + page + ".md").contains("](docs/" + page + ".md");
        }
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher matcher = LINK.matcher(Files.readString(page));
            while (matcher.find()) {
                String target = matcher.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // http(s) and mailto links are not ours to check offline
                }
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : "";
                Path resolved =
                        file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (!anchor.isEmpty() && !anchors(resolved).contains(anchor)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(pages).hasSizeGreaterThan(5);
        assertThat(broken).isEmpty();
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        if (Files.isDirectory(page)) {
            return anchors;
        }
        Matcher matcher = HEADING.matcher(Files.readString(page));
        while (matcher.find()) {
            anchors.add(matcher.group(1)
                    .trim()
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-'));
        }
        return anchors;
    }
}
