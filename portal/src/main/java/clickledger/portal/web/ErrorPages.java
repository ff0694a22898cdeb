package clickledger.portal.web;

import clickledger.common.log.RequestIds;
import clickledger.portal.api.ApiProblem;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What a person sees when a page cannot be shown: a page in the portal's layout that says what
 * happened and what to do, with the request id to quote, never a stack trace or raw JSON. A
 * session the api no longer knows sends the person to sign in again.
 */
public final class ErrorPages {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);

    /** The error template's page. */
    public record ErrorPage(Layout layout, int status, String heading, String message, String requestId) {}

    private ErrorPages() {}

    public static void apiProblem(Pages pages, ApiProblem problem, Context ctx) {
        switch (problem.status()) {
            case 401 -> {
                pages.cookies().clearSession(ctx);
                if ("true".equals(ctx.header("HX-Request"))) {
                    ctx.header("HX-Redirect", Guard.SIGN_IN).status(HttpStatus.UNAUTHORIZED);
                    return;
                }
                pages.redirect(ctx, Guard.SIGN_IN, "Your session has ended. Please sign in again.");
            }
            case 403 -> render(pages, ctx, 403, "Not allowed", problem.detail());
            case 404 -> render(pages, ctx, 404, "Not found", "There is nothing here: " + problem.detail() + ".");
            case 429 -> render(pages, ctx, 429, "Too many attempts", problem.detail());
            case 502 -> {
                LOG.atWarn().addKeyValue("detail", problem.detail()).log("api unreachable");
                render(
                        pages,
                        ctx,
                        503,
                        "The api is not answering",
                        "The portal could not reach the api. Try again in a moment; if it lasts, check the api's health.");
            }
            default -> {
                if (problem.status() >= 500) {
                    LOG.atError()
                            .addKeyValue("status", problem.status())
                            .addKeyValue("apiRequestId", problem.requestId())
                            .log("api failed");
                    render(pages, ctx, 502, "Something went wrong", "The api could not complete this request.");
                    return;
                }
                render(pages, ctx, problem.status(), "That did not work", problem.detail());
            }
        }
    }

    public static void unexpected(Pages pages, Exception e, Context ctx) {
        LOG.atError()
                .setCause(e)
                .addKeyValue("method", ctx.method().name())
                .addKeyValue("path", ctx.path())
                .log("unhandled error");
        render(pages, ctx, 500, "Something went wrong", "The portal could not show this page.");
    }

    public static void render(Pages pages, Context ctx, int status, String heading, String message) {
        Layout layout = pages.layout(ctx, heading, "");
        pages.render(
                ctx,
                status,
                "web/error.jte",
                new ErrorPage(layout, status, heading, message, MDC.get(RequestIds.MDC_KEY)));
    }
}
