package clickledger.portal.partner.join;

import java.util.List;

/** Names joined as a person writes them: "Acme", "Acme and Orbit", "Acme, Orbit and Zest". */
final class Names {
    private Names() {}

    static String list(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        if (names.size() == 1) {
            return names.getFirst();
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }
}
