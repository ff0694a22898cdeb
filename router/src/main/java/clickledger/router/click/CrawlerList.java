package clickledger.router.click;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The maintained list of crawler user agents (github.com/monperrus/crawler-user-agents, MIT),
 * pinned as {@code crawler-user-agents.json} beside this class; docs/operations.md says how to
 * update it. Each entry is a case-sensitive regular expression. About 97 % of them are plain text
 * once their escapes are read, so those go into one Aho-Corasick automaton that finds all of them
 * in a single pass over the agent; the few real expressions are tried one by one after it. Either
 * way this runs only when {@link UserAgents} has not seen the agent recently.
 */
public final class CrawlerList {
    static final String RESOURCE = "crawler-user-agents.json";
    // Outside an escape, any of these makes a pattern a real regular expression.
    private static final String REGEX_SYNTAX = "[]()^$*+?{}|.";

    /** What a matching entry makes of the click: {@code category:name}, as bot_reason stores it. */
    private record Entry(String reason) {}

    private record Expression(Pattern pattern, Entry entry) {}

    private final Automaton literals;
    private final List<Expression> expressions;
    private final int size;

    private CrawlerList(Automaton literals, List<Expression> expressions, int size) {
        this.literals = literals;
        this.expressions = expressions;
        this.size = size;
    }

    /** The list pinned in the router's jar. */
    public static CrawlerList pinned() {
        try (InputStream in = CrawlerList.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the router's jar");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static CrawlerList parse(JsonNode list) {
        Automaton.Builder literals = new Automaton.Builder();
        List<Expression> expressions = new ArrayList<>();
        int size = 0;
        for (JsonNode item : list) {
            String pattern = item.path("pattern").asText("");
            if (pattern.isEmpty()) {
                continue;
            }
            size++;
            List<String> tags = new ArrayList<>();
            item.path("tags").forEach(tag -> tags.add(tag.asText()));
            Entry entry = new Entry(category(tags) + ":" + name(pattern));
            String literal = literal(pattern);
            if (literal != null) {
                literals.add(literal, entry);
            } else {
                expressions.add(new Expression(Pattern.compile(pattern), entry));
            }
        }
        return new CrawlerList(literals.build(), List.copyOf(expressions), size);
    }

    /** The bot reason of the first entry that matches, or null when none does. */
    public String match(String userAgent) {
        Entry entry = literals.first(userAgent);
        if (entry != null) {
            return entry.reason();
        }
        for (Expression expression : expressions) {
            if (expression.pattern().matcher(userAgent).find()) {
                return expression.entry().reason();
            }
        }
        return null;
    }

    public int size() {
        return size;
    }

    /**
     * The list's tags, mapped onto the categories bot_reason has always used: link previews,
     * uptime checks, HTTP libraries, automated browsers, scanners; everything else is a crawler.
     */
    private static String category(List<String> tags) {
        if (tags.contains("social-preview")) {
            return "link_preview";
        }
        if (tags.contains("monitoring")) {
            return "uptime";
        }
        if (tags.contains("http-library")) {
            return "http_client";
        }
        if (tags.contains("browser-automation")) {
            return "headless";
        }
        if (tags.contains("scanner")) {
            return "scanner";
        }
        return "crawler";
    }

    /**
     * A short name from the pattern, lower case: its letters, digits and dashes, the first letter of
     * a character class, the first of alternatives ({@code Googlebot\/} is googlebot,
     * {@code S[eE][mM]rushBot} semrushbot, {@code Ahrefs(Bot|SiteAudit)} ahrefsbot).
     */
    static String name(String pattern) {
        StringBuilder name = new StringBuilder(pattern.length());
        int depth = 0;
        for (int i = 0; i < pattern.length() && name.length() < 40; i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++; // an escape: punctuation is dropped anyway, and \d or \s is a class, not a letter
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                name.append(c);
            } else if (c == '[') {
                int close = pattern.indexOf(']', i + 1);
                if (close < 0) {
                    break;
                }
                char first = pattern.charAt(i + 1);
                if (Character.isLetterOrDigit(first)) {
                    name.append(first);
                }
                i = close;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == '|') {
                int close = pattern.indexOf(')', i);
                if (depth == 0 || close < 0) {
                    break;
                }
                i = close - 1;
            }
        }
        String text = name.toString().toLowerCase(Locale.ROOT);
        return text.isEmpty() ? "other" : text;
    }

    /** The text a pattern matches when it has no regular-expression syntax besides escaped punctuation, else null. */
    static String literal(String pattern) {
        StringBuilder text = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                if (i + 1 >= pattern.length()) {
                    return null;
                }
                char next = pattern.charAt(++i);
                if (Character.isLetterOrDigit(next)) {
                    return null;
                }
                text.append(next);
            } else if (REGEX_SYNTAX.indexOf(c) >= 0) {
                return null;
            } else {
                text.append(c);
            }
        }
        return text.isEmpty() ? null : text.toString();
    }

    /**
     * Aho-Corasick over chars: a trie of the literals with failure links, so one pass over the
     * agent finds every literal it contains. The trie's transitions are sorted char arrays per
     * node (binary search), which keeps the 1,500-entry list at a few hundred KB.
     */
    static final class Automaton {
        private final char[][] labels;
        private final int[][] targets;
        private final int[] failure;
        // The entry ending at each node, or reachable from it by failure links (the first added).
        private final Entry[] output;

        private Automaton(char[][] labels, int[][] targets, int[] failure, Entry[] output) {
            this.labels = labels;
            this.targets = targets;
            this.failure = failure;
            this.output = output;
        }

        Entry first(String text) {
            int state = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                int next = step(state, c);
                while (next < 0 && state != 0) {
                    state = failure[state];
                    next = step(state, c);
                }
                state = next < 0 ? 0 : next;
                if (output[state] != null) {
                    return output[state];
                }
            }
            return null;
        }

        private int step(int state, char c) {
            int at = Arrays.binarySearch(labels[state], c);
            return at < 0 ? -1 : targets[state][at];
        }

        static final class Builder {
            private final List<Map<Character, Integer>> children = new ArrayList<>();
            private final List<Entry> ends = new ArrayList<>();

            Builder() {
                children.add(new HashMap<>());
                ends.add(null);
            }

            void add(String literal, Entry entry) {
                int state = 0;
                for (int i = 0; i < literal.length(); i++) {
                    Integer next = children.get(state).get(literal.charAt(i));
                    if (next == null) {
                        next = children.size();
                        children.add(new HashMap<>());
                        ends.add(null);
                        children.get(state).put(literal.charAt(i), next);
                    }
                    state = next;
                }
                if (ends.get(state) == null) {
                    ends.set(state, entry);
                }
            }

            Automaton build() {
                int count = children.size();
                char[][] labels = new char[count][];
                int[][] targets = new int[count][];
                for (int state = 0; state < count; state++) {
                    List<Character> keys = new ArrayList<>(children.get(state).keySet());
                    keys.sort(null);
                    labels[state] = new char[keys.size()];
                    targets[state] = new int[keys.size()];
                    for (int k = 0; k < keys.size(); k++) {
                        labels[state][k] = keys.get(k);
                        targets[state][k] = children.get(state).get(keys.get(k));
                    }
                }
                int[] failure = new int[count];
                Entry[] output = ends.toArray(new Entry[0]);
                ArrayDeque<Integer> queue = new ArrayDeque<>();
                for (int child : targets[0]) {
                    queue.add(child);
                }
                Automaton automaton = new Automaton(labels, targets, failure, output);
                while (!queue.isEmpty()) {
                    int state = queue.poll();
                    for (int k = 0; k < labels[state].length; k++) {
                        char c = labels[state][k];
                        int child = targets[state][k];
                        int fallback = failure[state];
                        int next = automaton.step(fallback, c);
                        while (next < 0 && fallback != 0) {
                            fallback = failure[fallback];
                            next = automaton.step(fallback, c);
                        }
                        failure[child] = next < 0 || next == child ? 0 : next;
                        if (output[child] == null) {
                            output[child] = output[failure[child]];
                        }
                        queue.add(child);
                    }
                }
                return automaton;
            }
        }
    }
}
