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
 * Writes docs/PERFORMANCE.md from every {@code bench/results/*.json}, whoever wrote it: the
 * scenario scripts of {@code make bench} (this helper's and any added under bench/scenarios/) and
 * the drills. Each file is one section: {@code {id, title, order, rows: [{scenario, figure, unit,
 * runs: [..], command, floor?, met?}], notes: [..]}}; the median and min–max are computed here.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        md.append("# Performance and survival\n\n");
        md.append("Written by `make bench` (and `make drills`) from `bench/results/*.json`; do not edit by hand.\n");
        md.append("Each figure is the median of its runs, with the lowest and highest run next to it. Floors are\n");
        md.append("those of issue 5, on this 2-core box, with every click durable before its 302.\n\n");
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
                    String met =
                            row.path("met").isBoolean() ? (row.path("met").asBoolean() ? "met" : "**not met**") : "–";
                    floors.add(new String[] {
                        row.path("scenario").asText() + ": "
                                + row.path("figure").asText(),
                        row.path("floor").asText(),
                        median,
                        met
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
            md.append("## Floors\n\n| figure | floor | median | |\n| --- | --- | ---: | --- |\n");
            for (String[] floor : floors) {
                md.append("| ")
                        .append(cell(floor[0]))
                        .append(" | ")
                        .append(cell(floor[1]))
                        .append(" | ")
                        .append(floor[2])
                        .append(" | ")
                        .append(floor[3])
                        .append(" |\n");
            }
            md.append('\n');
        }
        md.append(body);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
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
