package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/links}: list, create, change, pause and resume, archive and unarchive, delete, and
 * the QR code of a link's share URL.
 */
public final class LinksClient {
    private final ApiClient api;

    public LinksClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Link> list(Caller caller, String programId, String partnerId, String status, String cursor) {
        return list(caller, programId, partnerId, status, null, false, cursor);
    }

    /**
     * @param tag only links with this tag; null for any
     * @param archived archived links too
     */
    public ListPage<Link> list(
            Caller caller,
            String programId,
            String partnerId,
            String status,
            String tag,
            boolean archived,
            String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/links")
                        .param("programId", programId)
                        .param("partnerId", partnerId)
                        .param("status", status)
                        .param("tag", tag)
                        .param("archived", archived ? "true" : null)
                        .param("cursor", cursor),
                Link.class);
    }

    public Link get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/links/{id}", id), Link.class);
    }

    /** Links by id, in one call per hundred, for the dashboard's top links. */
    public Map<String, Link> byIds(Caller caller, List<String> ids) {
        Map<String, Link> found = new LinkedHashMap<>();
        api.byIds(caller, "/v1/links", ids, Link.class).forEach(link -> found.put(link.id(), link));
        return found;
    }

    public Link create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/links"), body, Link.class);
    }

    public Link pause(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/links/{id}/pause", id), null, Link.class);
    }

    public Link resume(Caller caller, String id) {
        return api.post(caller, ApiPath.of("/v1/links/{id}/resume", id), null, Link.class);
    }

    /** PATCH: the body's fields change, the others stay. */
    public Link update(Caller caller, String id, ObjectNode body) {
        return api.patch(caller, ApiPath.of("/v1/links/{id}", id), body, Link.class);
    }

    public Link archive(Caller caller, String id, boolean archived) {
        return api.post(
                caller,
                ApiPath.of(archived ? "/v1/links/{id}/archive" : "/v1/links/{id}/unarchive", id),
                null,
                Link.class);
    }

    /** Only a link without clicks; else an {@link ApiProblem} 409 {@code link_has_clicks}. */
    public void delete(Caller caller, String id) {
        api.delete(caller, ApiPath.of("/v1/links/{id}", id));
    }

    /** The QR code of the link's share URL as {@code png} or {@code svg}, {@code size} pixels square. */
    public ApiClient.Binary qr(Caller caller, String id, String format, int size, String ifNoneMatch) {
        return api.binary(
                caller,
                ApiPath.of("/v1/links/{id}/qr", id).param("format", format).param("size", size),
                ifNoneMatch);
    }
}
