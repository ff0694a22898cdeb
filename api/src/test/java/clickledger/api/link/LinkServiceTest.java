package clickledger.api.link;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.TestApi;
import clickledger.api.auth.Principal;
import clickledger.api.value.Slug;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.common.id.Ulid;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LinkServiceTest {
    private static final Principal ADMIN = new Principal(Principal.Kind.ADMIN, "test");
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Hands out the given slugs in order, then fails: the test controls every draw. */
    private static Supplier<Slug> scripted(String... slugs) {
        Deque<String> queue = new ArrayDeque<>(List.of(slugs));
        return () -> new Slug(queue.removeFirst());
    }

    @Test
    void generatedSlugThatCollidesIsDrawnAgain() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        String taken = TestApi.unique("taken");
        String fresh = TestApi.unique("fresh");
        api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}"
                                .formatted(programId, partnerId, taken))
                .expect(201);
        LinkService service = new LinkService(
                api.dsl(),
                api.clock(),
                scripted(taken, taken, fresh),
                new WebhookOutbox(api.clock()),
                TestApi.ROUTER_URL);

        Link link = service.create(new LinkCreate(programId, partnerId, null, null, null, null, null, null), ADMIN);

        assertThat(link.slug().value()).isEqualTo(fresh);
    }

    @Test
    void givingUpAfterRepeatedCollisionsRollsBackTheMembership() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        String taken = TestApi.unique("busy");
        String otherProgramId = api.createProgram();
        api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}"
                                .formatted(otherProgramId, partnerId, taken))
                .expect(201);
        String[] always = new String[LinkService.SLUG_ATTEMPTS];
        Arrays.fill(always, taken);
        LinkService service = new LinkService(
                api.dsl(), api.clock(), scripted(always), new WebhookOutbox(api.clock()), TestApi.ROUTER_URL);

        assertThatThrownBy(() ->
                        service.create(new LinkCreate(programId, partnerId, null, null, null, null, null, null), ADMIN))
                .isInstanceOf(IllegalStateException.class);
        assertThat(api.get("/v1/links?programId=" + programId)
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
        assertThat(api.dsl()
                        .fetchCount(
                                PARTNER_PROGRAM,
                                PARTNER_PROGRAM.PROGRAM_ID.eq(
                                        Ulid.parse(programId).orElseThrow())))
                .isZero();
    }
}
