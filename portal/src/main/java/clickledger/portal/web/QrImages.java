package clickledger.portal.web;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.Caller;
import io.javalin.http.Context;
import java.util.Set;

/**
 * A link's QR code as the portal serves it, for admins ({@code /links/{id}/qr/{format}}) and
 * partners ({@code /partner/links/{id}/qr/{format}}) alike: drawn by the api, passed through
 * with its ETag so a browser revalidates instead of downloading it again, and private, since it
 * is fetched with the viewer's session.
 */
public final class QrImages {
    static final Set<String> FORMATS = Set.of("png", "svg");

    /** The api's route for one format and size, asked with the viewer's session. */
    @FunctionalInterface
    public interface Source {
        ApiClient.Binary fetch(Caller caller, String linkId, String format, int size, String ifNoneMatch);
    }

    private QrImages() {}

    /** Serves {@code {format}} of link {@code {id}}; {@code ?size=} (64–2048) and {@code ?download} as asked. */
    public static void serve(Context ctx, Source source) {
        String format = ctx.pathParam("format");
        if (!FORMATS.contains(format)) {
            throw Params.badRequest("format", "must be png or svg");
        }
        int size = Params.integer(ctx, "size", 512, 64, 2048);
        ApiClient.Binary image =
                source.fetch(Pages.caller(ctx), ctx.pathParam("id"), format, size, ctx.header("If-None-Match"));
        if (image.etag() != null) {
            ctx.header("ETag", image.etag());
        }
        ctx.header("Cache-Control", image.cacheControl() != null ? image.cacheControl() : "private, max-age=300");
        if (image.status() == 304) {
            ctx.status(304);
            return;
        }
        if (ctx.queryParam("download") != null) {
            ctx.header("Content-Disposition", "attachment; filename=\"link-qr." + format + "\"");
        }
        ctx.contentType(image.contentType()).result(image.body());
    }
}
