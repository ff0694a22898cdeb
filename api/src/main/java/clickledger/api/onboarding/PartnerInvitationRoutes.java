package clickledger.api.onboarding;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Sessions;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.partner.PartnerId;
import clickledger.api.person.SessionView;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/partner-invitations}: invite (admin), list pending, withdraw; and, public (the token
 * is the credential), look at one and accept it.
 */
public final class PartnerInvitationRoutes {
    private static final Set<String> FIELDS = Set.of("email", "name", "programIds");

    private final PartnerInvitations service;

    public PartnerInvitationRoutes(PartnerInvitations service) {
        this.service = requireNonNull(service, "service is null");
    }

    record Accept(String token, String name, String password) {
        @Override
        public String toString() {
            return "Accept[token=<redacted>, name=" + name + ", password=<redacted>]";
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/partner-invitations", this::invite);
        routes.get("/v1/partner-invitations", this::pending);
        routes.delete("/v1/partner-invitations/{id}", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            service.revoke(PathIds.id(ctx), actor);
            ctx.status(204);
        });
        // Public (RouteAccess.PUBLIC). The position is named id like the DELETE beside it; here it
        // carries the token of the link.
        routes.get("/v1/partner-invitations/{id}", ctx -> ctx.header(Header.CACHE_CONTROL, "no-store")
                .json(service.preview(ctx.pathParam("id"))));
        routes.post("/v1/partner-invitations/accept", this::accept);
    }

    private void invite(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        JsonNode body = Json.object(ctx, FIELDS);
        FieldErrors errors = new FieldErrors();
        String email = text(body, "email", errors);
        String name = body.hasNonNull("name") ? text(body, "name", errors) : null;
        List<UUID> programIds = new ArrayList<>();
        JsonNode ids = body.get("programIds");
        if (ids == null || !ids.isArray()) {
            errors.add("programIds", "is required: an array of program ids");
        } else {
            for (int i = 0; i < ids.size(); i++) {
                int index = i;
                if (!ids.get(i).isTextual()) {
                    errors.add("programIds[" + i + "]", "must be a program id");
                    continue;
                }
                UUID id = errors.check(() ->
                        Ids.parse("programIds[" + index + "]", ids.get(index).textValue()));
                if (id != null) {
                    programIds.add(id);
                }
            }
        }
        errors.throwIfAny();
        PartnerOnboarding.Admitted admitted = service.invite(email, name, programIds, actor);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("partner", admitted.partner());
        answer.put(
                "programIds",
                admitted.programs().stream()
                        .map(program -> clickledger.common.id.Ulid.encode(program.id()))
                        .toList());
        answer.put("invitation", admitted.invitation());
        // The token, when there is one, is in this body and nowhere else: no cache may keep it.
        ctx.status(admitted.invitation() == null ? 200 : 201)
                .header(Header.CACHE_CONTROL, "no-store")
                .json(answer);
    }

    private void pending(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        String partnerText = ctx.queryParam("partnerId");
        PartnerId partnerId = partnerText == null || partnerText.isEmpty()
                ? null
                : errors.check(() -> PartnerId.parse("partnerId", partnerText));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.pending(partnerId, page));
    }

    private void accept(Context ctx) {
        Accept body = Json.body(ctx, Accept.class);
        if (body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("token", "is required: the token of the invitation link");
        }
        Sessions.Started started =
                service.accept(body.token(), body.name(), body.password(), ctx.header(Header.USER_AGENT));
        ctx.status(201)
                .header(Header.CACHE_CONTROL, "no-store")
                .json(SessionView.started(started.token(), started.person()));
    }

    private static String text(JsonNode body, String field, FieldErrors errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            errors.add(field, "is required");
            return null;
        }
        if (!value.isTextual()) {
            errors.add(field, "must be a string");
            return null;
        }
        return value.textValue();
    }
}
