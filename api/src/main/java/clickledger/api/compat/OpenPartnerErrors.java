package clickledger.api.compat;

import clickledger.common.log.RequestIds;
import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Errors in OpenPartner's shape, {@code {"error": "<code>", "detail": …}}, which its SDK's
 * {@code OpenPartnerError} reads into {@code code} and {@code detail} (a problem+json body would
 * reach it with no code at all). Failures that are not domain errors still fall through to the
 * api's catch-all, which logs them and answers a generic 500.
 */
final class OpenPartnerErrors {
    // OpenPartner answers a body that fails validation with this code; code written against its
    // SDK matches on it, so clickledger's invalid_request is renamed on these routes.
    static final String INVALID_BODY = "invalid_body";

    private OpenPartnerErrors() {}

    static void answer(Context ctx, Handler handler) throws Exception {
        try {
            handler.handle(ctx);
        } catch (ApiException e) {
            render(ctx, e);
        }
    }

    static void render(Context ctx, ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code(e));
        body.put("detail", e.getMessage());
        if (!e.fieldErrors().isEmpty()) {
            body.put("errors", e.fieldErrors());
        }
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        ctx.status(e.status()).json(body);
    }

    static String code(ApiException e) {
        return "invalid_request".equals(e.code()) ? INVALID_BODY : e.code();
    }
}
