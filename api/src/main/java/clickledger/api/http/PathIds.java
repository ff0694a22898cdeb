package clickledger.api.http;

import io.javalin.http.Context;
import java.util.UUID;

/** The {@code {id}} path parameter; a malformed one is a 400 naming {@code id}. */
public final class PathIds {
    private PathIds() {}

    public static UUID id(Context ctx) {
        return Ids.parse("id", ctx.pathParam("id"));
    }
}
