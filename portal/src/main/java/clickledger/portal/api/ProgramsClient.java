package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/programs}. */
public final class ProgramsClient {
    /** Enough for every menu; a merchant runs a handful of programs, the api pages beyond. */
    static final int MENU_LIMIT = 100;

    private final ApiClient api;

    public ProgramsClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Program> list(Caller caller, String cursor) {
        return api.list(caller, ApiPath.of("/v1/programs").param("cursor", cursor), Program.class);
    }

    /** Up to the first {@value #MENU_LIMIT} programs, newest first, for menus and filters. */
    public List<Program> all(Caller caller) {
        List<Program> programs = new ArrayList<>();
        String cursor = null;
        do {
            ListPage<Program> page = api.list(
                    caller,
                    ApiPath.of("/v1/programs").param("limit", MENU_LIMIT).param("cursor", cursor),
                    Program.class);
            programs.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null && programs.size() < MENU_LIMIT);
        return programs;
    }

    public Program get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/programs/{id}", id), Program.class);
    }

    public Program create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/programs"), body, Program.class);
    }

    public Program update(Caller caller, String id, ObjectNode body) {
        return api.patch(caller, ApiPath.of("/v1/programs/{id}", id), body, Program.class);
    }
}
