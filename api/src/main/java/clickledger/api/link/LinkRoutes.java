package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code /v1/links}: create, list (by program, partner, status, tag; archived ones on request),
 * get, patch, pause, resume, archive, unarchive, delete (only without clicks). Admin keys do
 * everything; a secret key lists and reads its own program's links, and another program's link
 * is a 404 to it.
 */
public final class LinkRoutes {
    // How long a browser may keep a code: it never changes for a link, but private, since the
    // route needs a key or session and the link's URL is not for shared caches.
    private static final String QR_CACHE_CONTROL = "private, max-age=86400";

    private final LinkService service;
    private final String publicRouterUrl;
    private final QrCodes qrCodes = new QrCodes();

    /** @param publicRouterUrl the router's public base URL, for each link's shareable {@code url} */
    public LinkRoutes(LinkService service, String publicRouterUrl) {
        this.service = requireNonNull(service, "service is null");
        this.publicRouterUrl = requireNonNull(publicRouterUrl, "publicRouterUrl is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/links", this::create);
        routes.get("/v1/links", this::list);
        routes.get("/v1/links/{id}", this::get);
        routes.patch("/v1/links/{id}", this::update);
        routes.post("/v1/links/{id}/pause", ctx -> setStatus(ctx, LinkStatus.PAUSED));
        routes.post("/v1/links/{id}/resume", ctx -> setStatus(ctx, LinkStatus.ACTIVE));
        routes.post("/v1/links/{id}/archive", ctx -> setArchived(ctx, true));
        routes.post("/v1/links/{id}/unarchive", ctx -> setArchived(ctx, false));
        routes.delete("/v1/links/{id}", this::delete);
        routes.get("/v1/links/{id}/qr", this::qr);
    }

    /** {@code GET /v1/links/{id}/qr?format=png|svg&size=}: the link's share URL as a QR code. */
    private void qr(Context ctx) {
        Access.requireAdmin(ctx);
        serveQr(ctx, qrCodes, publicRouterUrl, service::find);
    }

    /**
     * Answers a QR code request for the link of the path's id, when {@code visible} finds it for
     * the caller (an admin: every link; a partner: its own, as /v1/me/links/{id}/qr); else 404.
     */
    public static void serveQr(
            Context ctx, QrCodes qrCodes, String publicRouterUrl, Function<LinkId, Optional<Link>> visible) {
        FieldErrors errors = new FieldErrors();
        String formatText = optional(ctx, "format");
        QrCodes.Format format = formatText == null ? QrCodes.Format.PNG : QrCodes.Format.fromWire(formatText);
        if (format == null) {
            errors.add("format", "must be png or svg");
        }
        Integer size = errors.check(() -> qrSize(optional(ctx, "size")));
        LinkId id = errors.check(() -> id(ctx));
        errors.throwIfAny();
        Link link = visible.apply(id).orElseThrow(LinkRoutes::notFound);
        QrCodes.Image image = qrCodes.image(LinkView.of(link, publicRouterUrl).url(), format, size);
        ctx.header(Header.CACHE_CONTROL, QR_CACHE_CONTROL).header(Header.ETAG, image.etag());
        if (image.etag().equals(ctx.header(Header.IF_NONE_MATCH))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(format.mediaType()).result(image.bytes());
    }

    private static int qrSize(String text) {
        if (text == null) {
            return QrCodes.DEFAULT_SIZE;
        }
        try {
            int size = Integer.parseInt(text);
            if (size >= QrCodes.MIN_SIZE && size <= QrCodes.MAX_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below, like a number out of range
        }
        throw ApiException.badRequest(
                "size", "must be a whole number of pixels from " + QrCodes.MIN_SIZE + " to " + QrCodes.MAX_SIZE);
    }

    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        Link link = service.create(Json.body(ctx, LinkCreate.class), actor);
        ctx.status(201).header(Header.LOCATION, "/v1/links/" + link.id()).json(LinkView.of(link, publicRouterUrl));
    }

    private void list(Context ctx) {
        FieldErrors errors = new FieldErrors();
        ProgramId programId = optional(ctx, "programId") == null
                ? null
                : errors.check(() -> ProgramId.parse("programId", ctx.queryParam("programId")));
        PartnerId partnerId = optional(ctx, "partnerId") == null
                ? null
                : errors.check(() -> PartnerId.parse("partnerId", ctx.queryParam("partnerId")));
        LinkStatus status = optional(ctx, "status") == null
                ? null
                : errors.check(() -> LinkStatus.fromWire("status", ctx.queryParam("status")));
        String idsText = optional(ctx, "ids");
        List<UUID> ids = idsText == null ? null : errors.check(() -> Ids.parseList("ids", idsText));
        String tag = tagQuery(ctx, errors);
        boolean archived = archivedQuery(ctx, errors);
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ProgramId readable = Access.readableProgram(ctx);
        if (readable != null && programId != null && !readable.equals(programId)) {
            // Another program's links do not exist for this key: the same empty page as an unknown id.
            ctx.json(new Page<LinkView>(List.of(), null));
            return;
        }
        ProgramId scope = readable != null ? readable : programId;
        // Links asked for by id (a dashboard's top links) come back archived or not.
        LinkFilter filter = new LinkFilter(scope, partnerId, status, ids, tag, archived || ids != null);
        ctx.json(service.list(filter, page).map(link -> LinkView.of(link, publicRouterUrl)));
    }

    /** {@code ?tag=}, normalised as tags are stored; null when absent. For admin and partner lists. */
    public static String tagQuery(Context ctx, FieldErrors errors) {
        String text = optional(ctx, "tag");
        return text == null ? null : errors.check(() -> LinkTag.parse("tag", text));
    }

    /** {@code ?archived=true} lists archived links too (Dub's showArchived); false or absent hides them. */
    public static boolean archivedQuery(Context ctx, FieldErrors errors) {
        String text = optional(ctx, "archived");
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        errors.add("archived", "must be true or false");
        return false;
    }

    private void get(Context ctx) {
        Link link = service.find(id(ctx)).orElseThrow(LinkRoutes::notFound);
        Access.requireProgramAccess(ctx, link.programId(), "link");
        ctx.json(LinkView.of(link, publicRouterUrl));
    }

    private void update(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        LinkId id = id(ctx);
        LinkPatch patch = Json.body(ctx, LinkPatch.class);
        ctx.json(view(service.update(id, patch, Json.presentFields(ctx), actor)));
    }

    private void setStatus(Context ctx, LinkStatus status) {
        Principal actor = Access.requireAdmin(ctx);
        ctx.json(view(service.setStatus(id(ctx), status, actor)));
    }

    private void setArchived(Context ctx, boolean archived) {
        Principal actor = Access.requireAdmin(ctx);
        ctx.json(view(service.setArchived(id(ctx), archived, actor)));
    }

    /** Only a link without clicks: 204, else 409 {@code link_has_clicks}; unknown: 404. */
    private void delete(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        if (!service.delete(id(ctx), actor)) {
            throw notFound();
        }
        ctx.status(204);
    }

    private LinkView view(Optional<Link> link) {
        return LinkView.of(link.orElseThrow(LinkRoutes::notFound), publicRouterUrl);
    }

    private static ApiException notFound() {
        return ApiException.notFound("link");
    }

    private static String optional(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static LinkId id(Context ctx) {
        return new LinkId(PathIds.id(ctx));
    }
}
