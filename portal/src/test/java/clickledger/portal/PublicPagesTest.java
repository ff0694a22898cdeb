package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partner portal's pages and the public pages of issue 15 over real HTTP against the real
 * api: partner pages need a session like every other, links of mail that cannot be used get a
 * page that says so, the application form's honeypot stores nothing, its forms need their CSRF
 * token, and asking for a password reset says the same whether or not the email has an account.
 */
class PublicPagesTest {
    /** Every page of the partner portal. */
    static final List<String> PARTNER_PAGES = List.of(
            "/partner",
            "/partner/links",
            "/partner/commissions",
            "/partner/payouts",
            "/partner/payout-details",
            "/partner/profile");

    private static PortalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = InstalledStack.get();
    }

    @Test
    void partnerPagesRedirectToSignInWithoutASession() throws Exception {
        for (String path : PARTNER_PAGES) {
            HttpResponse<String> response = HttpBrowser.get(stack.portalUrl(), path, Map.of());
            assertThat(response.statusCode()).as(path).isEqualTo(303);
            assertThat(response.headers().firstValue("Location"))
                    .as(path)
                    .hasValueSatisfying(location -> assertThat(location).startsWith("/sign-in?next="));
        }
    }

    @Test
    void anAdminSessionReachesNoPartnerPage() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(InstalledStack.EMAIL, InstalledStack.PASSWORD, "/");
        for (String path : PARTNER_PAGES) {
            HttpResponse<String> response = admin.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.body()).as(path).contains("Not for this account");
        }
        // Signing in from a partner page's link lands an admin on their own dashboard.
        HttpBrowser again = new HttpBrowser(stack.portalUrl());
        assertThat(again.signIn(InstalledStack.EMAIL, InstalledStack.PASSWORD, "/partner/links")
                        .headers()
                        .firstValue("Location"))
                .hasValue("/");
    }

    @Test
    void linksOfMailThatCannotBeUsedGetAPageThatSaysSo() throws Exception {
        HttpBrowser visitor = new HttpBrowser(stack.portalUrl());
        for (String path : List.of(
                "/invitations/partner/ck_inv_" + "A".repeat(43),
                "/invitations/partner/garbage",
                "/reset-password/ck_rst_" + "A".repeat(43),
                "/reset-password/%3Cscript%3E")) {
            HttpResponse<String> page = visitor.get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(404);
            assertThat(page.body()).as(path).contains("This link is not valid").doesNotContain("<script>");
        }
        // The email confirmation page shows a button (opening a link must change nothing); the
        // button finds out.
        String token = "ck_eml_" + "A".repeat(43);
        HttpResponse<String> confirm = visitor.get("/confirm-email/" + token);
        assertThat(confirm.statusCode()).isIn(200, 404);
        String csrf = visitor.csrfTokenOf("/forgot-password");
        HttpResponse<String> confirmed = visitor.post("/confirm-email/" + token, Map.of("_csrf", csrf));
        assertThat(confirmed.statusCode()).isEqualTo(404);
        assertThat(confirmed.body()).contains("This link is not valid");
    }

    @Test
    void aProgramWithoutAnApplicationPageSaysApplicationsAreClosed() throws Exception {
        HttpResponse<String> page = new HttpBrowser(stack.portalUrl()).get("/apply/no-such-program");
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).contains("Applications are closed");
    }

    @Test
    void theHoneypotStoresNothingAndEveryFormNeedsItsToken() throws Exception {
        String programId = InstalledStack.programId();
        HttpResponse<String> opened = admin(
                "PUT", "/v1/programs/" + programId + "/application-form", "{\"enabled\":true,\"terms\":\"Be kind.\"}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);

        HttpBrowser bot = new HttpBrowser(stack.portalUrl());
        String token = bot.csrfTokenOf("/apply/shop");
        Map<String, String> form = Map.of(
                "name", "Spam Bot",
                "email", "bot@spam.example",
                "promotion", "everything",
                "termsAccepted", "true",
                "nickname", "gotcha");
        assertThat(bot.post("/apply/shop", form).statusCode()).as("no token").isEqualTo(403);
        HttpResponse<String> sent = bot.post("/apply/shop", with(form, "_csrf", token));
        // The same answer a person gets, so the bot learns nothing; nothing is stored.
        assertThat(sent.statusCode()).isEqualTo(303);
        assertThat(sent.headers().firstValue("Location")).hasValue("/apply/shop/thanks");
        assertThat(applicationsFrom("bot@spam.example")).isZero();

        HttpBrowser person = new HttpBrowser(stack.portalUrl());
        String personToken = person.csrfTokenOf("/apply/shop");
        HttpResponse<String> applied = person.post(
                "/apply/shop",
                Map.of(
                        "_csrf", personToken,
                        "name", "Mary Somerville",
                        "email", "mary@example.com",
                        "website", "",
                        "promotion", "Lectures",
                        "termsAccepted", "true",
                        "nickname", ""));
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(303);
        assertThat(person.get("/apply/shop/thanks").body()).contains("Thank you for applying");
        assertThat(applicationsFrom("mary@example.com")).isEqualTo(1);
    }

    @Test
    void aPasswordResetRequestSaysTheSameForAnyEmail() throws Exception {
        for (String email : List.of(InstalledStack.EMAIL, "nobody-here@example.com")) {
            HttpBrowser visitor = new HttpBrowser(stack.portalUrl());
            String token = visitor.csrfTokenOf("/forgot-password");
            HttpResponse<String> sent = visitor.post("/forgot-password", Map.of("_csrf", token, "email", email));
            assertThat(sent.statusCode()).as(email).isEqualTo(303);
            assertThat(sent.headers().firstValue("Location")).as(email).hasValue("/forgot-password/sent");
        }
        HttpBrowser visitor = new HttpBrowser(stack.portalUrl());
        String token = visitor.csrfTokenOf("/forgot-password");
        HttpResponse<String> bad = visitor.post("/forgot-password", Map.of("_csrf", token, "email", "not an email"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("id=\"f-email-error\"");
    }

    private static long applicationsFrom(String email) throws Exception {
        HttpResponse<String> response = admin("GET", "/v1/applications?status=pending&limit=200", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Pattern.compile("\"email\":\"" + Pattern.quote(email) + "\"")
                .matcher(response.body())
                .results()
                .count();
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return stack.callApi(method, path, PortalStack.ADMIN_KEY, body);
    }

    private static Map<String, String> with(Map<String, String> form, String name, String value) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(form);
        copy.put(name, value);
        return copy;
    }
}
