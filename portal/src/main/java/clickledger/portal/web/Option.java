package clickledger.portal.web;

import java.util.List;

/** One choice of a {@code <select>}. */
public record Option(String value, String label) {
    public static List<Option> of(String... valuesAndLabels) {
        java.util.ArrayList<Option> options = new java.util.ArrayList<>();
        for (int i = 0; i < valuesAndLabels.length; i += 2) {
            options.add(new Option(valuesAndLabels[i], valuesAndLabels[i + 1]));
        }
        return List.copyOf(options);
    }
}
