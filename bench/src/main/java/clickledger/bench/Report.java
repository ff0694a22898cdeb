package clickledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Writes the generated part of docs/PERFORMANCE.md from every {@code bench/results/*.json} with
 * rows, whoever wrote it: the scenario scripts of {@code make bench} (any script under
 * bench/scenarios/) and the drills. Each such file is one section: {@code {id, title, order, rows:
 * [{scenario, figure, unit, runs: [..], command, floor?, met?}], notes: [..]}}; the median and
 * min–max are computed here. The generated part sits between two marker comments; everything
 * outside them (sections written by hand) is kept as it is.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BEGIN = "<!-- make bench: generated from bench/results/*.json, do not edit below -->";
    static final String END = "<!-- make bench: end of the generated part -->";

    private Report() {}

    static void write(Args args) throws IOException {
        Path results = Path.of(args.string("results", "bench/results"));
        Path out = Path.of(args.string("out", "docs/PERFORMANCE.md"));
        Path header = Path.of(args.string("header", "bench/results/environment.md"));
        List<JsonNode> sections = new ArrayList<>();
        try (Stream<Path> files = Files.list(results)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode section = JSON.readTree(file.toFile());
                if (section.has("rows")) {
                    sections.add(section);
                }
            }
        }
        sections.sort(Comparator.comparingInt((JsonNode s) -> s.path("order").asInt(500))
                .thenComparing(s -> s.path("id").asText()));
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append("\n\n");
        md.append("Written by `make bench` and `make drills` from `bench/results/*.json`. Each figure is the median\n");
        md.append("of its runs, with the lowest and highest run next to it. A floor is met only when its **worst**\n");
        md.append("run meets it (the slowest, or the lowest where more is better), and the Floors table shows that\n");
        md.append("run next to the median. Floors are those of issues 5, 12, 14, 16 and 17, on this 2-core box,\n");
        md.append("with every click and every event durable before its answer.\n\n");
        if (Files.exists(header)) {
            md.append(Files.readString(header).strip()).append("\n\n");
        }
        List<String[]> floors = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (JsonNode section : sections) {
            body.append("## ")
                    .append(section.path("title").asText(section.path("id").asText()))
                    .append("\n\n");
            body.append("| scenario | figure | median | min–max | runs | command |\n");
            body.append("| --- | --- | ---: | --- | ---: | --- |\n");
            for (JsonNode row : section.path("rows")) {
                double[] runs = numbers(row.path("runs"));
                String unit = row.path("unit").asText("");
                String median = runs.length == 0 ? "n/a" : format(median(runs), unit);
                String range = runs.length == 0
                        ? ""
                        : format(Arrays.stream(runs).min().orElse(0), unit) + " – "
                                + format(Arrays.stream(runs).max().orElse(0), unit);
                body.append("| ")
                        .append(cell(row.path("scenario").asText()))
                        .append(" | ")
                        .append(cell(row.path("figure").asText()))
                        .append(" | ")
                        .append(median)
                        .append(" | ")
                        .append(range)
                        .append(" | ")
                        .append(runs.length)
                        .append(" | `")
                        .append(row.path("command").asText().replace("|", "\\|").replace("`", "'"))
                        .append("` |\n");
                if (row.hasNonNull("floor")) {
                    String floor = row.path("floor").asText();
                    Bound bound = Bound.parse(floor);
                    String worst = "n/a";
                    Boolean met = row.path("met").isBoolean() ? row.path("met").asBoolean() : null;
                    if (runs.length > 0) {
                        double worstRun = bound != null && bound.higherIsBetter()
                                ? Arrays.stream(runs).min().orElse(0)
                                : Arrays.stream(runs).max().orElse(0);
                        worst = format(worstRun, unit);
                        if (bound != null) {
                            // Judged here, on the worst run, whatever the script thought.
                            met = bound.admits(worstRun) && (met == null || met);
                        }
                    }
                    floors.add(new String[] {
                        row.path("scenario").asText() + ": "
                                + row.path("figure").asText(),
                        floor,
                        median,
                        worst,
                        met == null ? "–" : met ? "met" : "**not met**"
                    });
                }
            }
            body.append('\n');
            for (JsonNode note : section.path("notes")) {
                body.append("- ").append(note.asText()).append('\n');
            }
            if (!section.path("notes").isEmpty()) {
                body.append('\n');
            }
        }
        if (!floors.isEmpty()) {
            md.append("## Floors\n\n| figure | floor | median | worst run | |\n| --- | --- | ---: | ---: | --- |\n");
            for (String[] floor : floors) {
                md.append("| ")
                        .append(cell(floor[0]))
                        .append(" | ")
                        .append(cell(floor[1]))
                        .append(" | ")
                        .append(floor[2])
                        .append(" | ")
                        .append(floor[3])
                        .append(" | ")
                        .append(floor[4])
                        .append(" |\n");
            }
            md.append('\n');
        }
        md.append(body);
        md.append(END).append('\n');
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, merge(Files.exists(out) ? Files.readString(out) : "", md.toString()));
    }

    /**
     * The page with its generated part replaced: between the markers when they are there, else
     * after the page's first heading (a page without one gets a heading of its own).
     */
    static String merge(String page, String generated) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin >= 0 && end > begin) {
            return page.substring(0, begin)
                    + generated
                    + page.substring(end + END.length()).replaceFirst("^\n", "");
        }
        if (page.isBlank()) {
            return "# Performance\n\n" + generated;
        }
        int heading = page.startsWith("# ") ? page.indexOf('\n') + 1 : 0;
        int paragraphEnd = page.indexOf("\n\n", heading);
        int at = paragraphEnd < 0 ? page.length() : paragraphEnd + 2;
        return page.substring(0, at) + generated + "\n" + page.substring(at);
    }

    /**
     * A floor that names a number: "≤ 15 ms", "< 512 MB", "≥ 35 % of nginx", "≥ 10,000", "0".
     * Text floors ("falls back within the budget") parse to null and keep the script's verdict.
     */
    record Bound(boolean higherIsBetter, boolean strict, double value) {
        static Bound parse(String floor) {
            String text = floor.strip();
            if (text.equals("0")) {
                return new Bound(false, false, 0);
            }
            boolean higher;
            boolean strict;
            if (text.startsWith("≤")) {
                higher = false;
                strict = false;
            } else if (text.startsWith("<")) {
                higher = false;
                strict = true;
            } else if (text.startsWith("≥")) {
                higher = true;
                strict = false;
            } else if (text.startsWith(">")) {
                higher = true;
                strict = true;
            } else {
                return null;
            }
            StringBuilder number = new StringBuilder();
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if ((c >= '0' && c <= '9') || c == '.') {
                    number.append(c);
                } else if (c == ',' || (c == ' ' && number.isEmpty())) {
                    continue;
                } else {
                    break;
                }
            }
            if (number.isEmpty()) {
                return null;
            }
            return new Bound(higher, strict, Double.parseDouble(number.toString()));
        }

        boolean admits(double run) {
            if (higherIsBetter) {
                return strict ? run > value : run >= value;
            }
            return strict ? run < value : run <= value;
        }
    }

    private static double[] numbers(JsonNode runs) {
        List<Double> values = new ArrayList<>();
        for (JsonNode run : runs) {
            if (run.isNumber()) {
                values.add(run.asDouble());
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String format(double value, String unit) {
        String number;
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            number = String.format(Locale.ROOT, "%,.0f", value);
        } else if (Math.abs(value) >= 10) {
            number = String.format(Locale.ROOT, "%.1f", value);
        } else {
            number = String.format(Locale.ROOT, "%.2f", value);
        }
        return unit.isEmpty() ? number : number + (unit.equals("%") || unit.equals("x") ? "" : " ") + unit;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
