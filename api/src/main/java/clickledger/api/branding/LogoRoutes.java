package clickledger.api.branding;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.PathIds;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A program's logo: {@code PUT} (admin; the image as the body, at most
 * {@value LogoImage#MAX_UPLOAD_BYTES} bytes), {@code DELETE} (admin), and {@code GET}, which needs
 * no key: a logo is what a program shows the world, and mail clients and partner pages fetch it
 * without one (RouteAccess lists it as public). It is served as the api re-encoded it, with its
 * exact Content-Type, {@code nosniff} and a sandboxing CSP, so no browser runs it as anything but
 * an image.
 */
public final class LogoRoutes {
    public static final String PATH = "/v1/programs/{id}/logo";
    // The URL carries ?v=<hash of the image>, so a changed logo is a new URL and a day of caching is safe.
    static final String CACHE_CONTROL = "public, max-age=86400";

    private final ProgramLogos logos;

    public LogoRoutes(ProgramLogos logos) {
        this.logos = requireNonNull(logos, "logos is null");
    }

    public void register(RoutesConfig routes) {
        routes.put(PATH, this::upload);
        routes.delete(PATH, this::remove);
        routes.get(PATH, this::read);
    }

    private void upload(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        UUID programId = existingProgram(ctx);
        byte[] body = ctx.bodyAsBytes();
        try {
            ctx.json(logos.replace(programId, body, actor));
        } catch (IOException e) {
            throw new UncheckedIOException("storing the logo failed", e);
        }
    }

    private void remove(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        UUID programId = existingProgram(ctx);
        if (!logos.remove(programId, actor)) {
            throw ApiException.notFound("logo of program " + ctx.pathParam("id"));
        }
        ctx.status(204);
    }

    private void read(Context ctx) {
        UUID programId = PathIds.id(ctx);
        ProgramLogos.Served served;
        try {
            served = logos.serve(programId)
                    .orElseThrow(() -> ApiException.notFound("logo of program " + ctx.pathParam("id")));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the logo failed", e);
        }
        ProgramLogos.Logo logo = served.logo();
        ctx.header(Header.CACHE_CONTROL, CACHE_CONTROL)
                .header(Header.ETAG, logo.etag())
                .header(Header.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .header("Cross-Origin-Resource-Policy", "cross-origin");
        if (logo.etag().equals(ctx.header(Header.IF_NONE_MATCH))) {
            ctx.status(304);
            return;
        }
        ctx.header(
                        "Content-Disposition",
                        "inline; filename=\"logo" + (logo.contentType().equals("image/jpeg") ? ".jpg" : ".png") + "\"")
                .contentType(logo.contentType())
                .result(served.body());
    }

    private UUID existingProgram(Context ctx) {
        UUID programId = PathIds.id(ctx);
        if (!logos.programExists(programId)) {
            throw ApiException.notFound("program " + ctx.pathParam("id"));
        }
        return programId;
    }
}
