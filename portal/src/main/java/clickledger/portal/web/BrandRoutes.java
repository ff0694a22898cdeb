package clickledger.portal.web;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ProgramsClient;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;
import org.slf4j.MDC;

/**
 * {@code GET /brand/programs/{id}/logo}: a program's logo from the portal's own origin, so pages
 * show it under the portal's strict CSP ({@code img-src 'self'}) and mails can link to the address
 * people already know. Open to anyone, like the api's route it passes through: a logo is what a
 * program shows the world. Only the two types the api stores get through, each with its exact
 * Content-Type; {@code nosniff} comes with every portal answer.
 */
public final class BrandRoutes {
    public static final String LOGO = "/brand/programs/{id}/logo";
    static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg");

    private final ProgramsClient programs;

    public BrandRoutes(ProgramsClient programs) {
        this.programs = requireNonNull(programs, "programs is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(LOGO, this::logo);
    }

    private void logo(Context ctx) {
        Caller anonymous = Caller.anonymous(Guard.forwardedFor(ctx), ctx.userAgent(), MDC.get(RequestIds.MDC_KEY));
        ApiClient.Binary image;
        try {
            image = programs.logo(anonymous, ctx.pathParam("id"), ctx.header("If-None-Match"));
        } catch (ApiProblem e) {
            if (e.status() == 404 || e.status() == 400) {
                // An <img> shows nothing either way; no error page for a picture.
                ctx.status(404).header("Cache-Control", "no-store");
                return;
            }
            throw e;
        }
        if (image.etag() != null) {
            ctx.header("ETag", image.etag());
        }
        ctx.header("Cache-Control", image.cacheControl() != null ? image.cacheControl() : "public, max-age=300");
        if (image.status() == 304) {
            ctx.status(304);
            return;
        }
        String type = image.contentType().split(";")[0].trim();
        if (!IMAGE_TYPES.contains(type)) {
            ctx.status(502).header("Cache-Control", "no-store");
            return;
        }
        ctx.contentType(type).result(image.body());
    }
}
