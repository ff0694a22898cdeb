package clickledger.portal.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the link forms (admin and partner) type differently from the api's JSON: tags as one
 * comma-separated field, and an expiry as the browser's local date-time field, read as UTC. The
 * api normalises and checks both; nothing here decides whether a value is valid.
 */
public final class LinkInput {
    private LinkInput() {}

    /** "Spring sale, newsletter" as ["Spring sale", "newsletter"]; empty pieces dropped. */
    public static List<String> tags(String typed) {
        return split(typed, ",");
    }

    /** A program's allowed hosts as typed: separated by commas, spaces or lines. */
    public static List<String> hosts(String typed) {
        return split(typed, "[,\\s]+");
    }

    private static List<String> split(String typed, String separator) {
        List<String> tags = new ArrayList<>();
        for (String piece : typed.split(separator)) {
            if (!piece.isBlank()) {
                tags.add(piece.strip());
            }
        }
        return tags;
    }

    public static String tagsText(List<String> tags) {
        return String.join(", ", tags);
    }

    /**
     * A {@code datetime-local} value ({@code 2030-01-31T12:00}, no zone) as UTC for the api;
     * anything else (a full timestamp with an offset, or a typo) goes as typed for the api to judge.
     */
    public static String expiresAt(String typed) {
        if (typed.length() == 16 && typed.charAt(10) == 'T') {
            return typed + ":00Z";
        }
        if (typed.length() == 19 && typed.charAt(10) == 'T') {
            return typed + "Z";
        }
        return typed;
    }

    /** The api names each bad tag ({@code tags[2]}); the form has one field for them all. */
    public static FieldErrors foldTags(FieldErrors errors) {
        return fold(errors, "tags");
    }

    /** Errors of a list's items ({@code field[2]}) under the one form field that holds the list. */
    public static FieldErrors fold(FieldErrors errors, String field) {
        Map<String, String> byField = new LinkedHashMap<>();
        for (Map.Entry<String, String> error : errors.byField().entrySet()) {
            String name = error.getKey().startsWith(field + "[") ? field : error.getKey();
            byField.merge(name, error.getValue(), (first, second) -> first + "; " + second);
        }
        return new FieldErrors(byField, errors.general());
    }
}
