package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.testkit.SystemChromium;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's journey in Debian's Chromium against the real api, router and portal, with the
 * api's mail going to GreenMail: an admin invites a partner, the invitation mail arrives, the
 * partner opens its link, sets a password and lands on their dashboard, creates a link, a visitor
 * clicks it through the router, the merchant's server reports a purchase, and the partner sees
 * the click and the pending commission. Then the partner's payout details (masked), profile and
 * email change by mail, a password reset by mail, what another partner's ids show, an application
 * through the public page approved by the admin (whose mail arrives), and revoking the partner,
 * which signs them out. Every page is shot at desktop width and at 375 px (target/screenshots/),
 * with the label, width and console checks of {@link BrowserPage}.
 */
class PartnerJourneyTest {
    static final String ADMIN_EMAIL = "grace@example.com";
    static final String ADMIN_PASSWORD = "correct horse battery staple 42";
    static final String ADA_PASSWORD = "ada's own long password 1815";
    static final String USER_AGENT = PortalJourneyTest.USER_AGENT;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Mailbox mail;
    private static PortalStack stack;
    private static final SystemChromium.Shared chromium = new SystemChromium.Shared();
    private static Browser browser;
    private static String programId;
    private static String logoPath;

    @BeforeAll
    static void start() throws Exception {
        if (!SystemChromium.available()) {
            return;
        }
        mail = Mailbox.start();
        stack = PortalStack.start(true, mail.apiEnv(), Map.of());
        browser = chromium.open();
        HttpResponse<String> installed = api(
                "POST",
                "/v1/install",
                null,
                "{\"admin\":{\"name\":\"Grace Hopper\",\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\""
                        + ADMIN_PASSWORD + "\"},\"program\":{\"slug\":\"acme\",\"name\":\"Acme\","
                        + "\"currency\":\"USD\",\"destinationUrl\":\"" + stack.shopUrl() + "/signup\","
                        + "\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"10\"}]}}");
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(201);
        programId = JSON.readTree(installed.body()).path("program").path("id").asText();
        // Acme has a logo: the partner's pages and mails show it.
        HttpResponse<String> logo = HttpBrowser.HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/programs/" + programId + "/logo"))
                        .header("Authorization", "Bearer " + PortalStack.ADMIN_KEY)
                        .header("Content-Type", "image/png")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(PortalLogoTest.png(300, 100)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logo.statusCode()).as(logo.body()).isEqualTo(200);
        logoPath = "/brand/programs/" + programId + "/logo?v="
                + JSON.readTree(logo.body()).path("url").asText().replaceFirst(".*\\?v=", "");
    }

    @AfterAll
    static void stop() {
        chromium.close();
        if (stack != null) {
            stack.close();
        }
        if (mail != null) {
            mail.close();
        }
    }

    @Test
    void anInvitedPartnerSetsAPasswordSharesALinkAndSeesWhatItEarned() throws Exception {
        SystemChromium.require();
        String portal = stack.portalUrl();
        BrowserContext adminContext = newContext();
        BrowserPage admin = new BrowserPage(adminContext.newPage());
        signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
        admin.page.waitForURL(portal + "/");

        // The admin invites Ada to Acme.
        admin.follow("Partners");
        admin.follow("Invite partner");
        admin.fill("Email", "ada@example.com");
        admin.fill("Name", "Ada Lovelace");
        admin.page.getByLabel("Acme").check();
        admin.shoot("partner-invite");
        admin.click("Send invitation");
        PlaywrightAssertions.assertThat(admin.page.locator("h1")).hasText("Invitation sent to ada@example.com");
        String shownLink = admin.valueOf("Invitation link");
        admin.shoot("partner-invited");

        // The mail arrives, once, with the same link.
        MimeMessage invitation = mail.await("ada@example.com", 1);
        String link = Mailbox.link(invitation, portal + "/invitations/partner/");
        assertThat(link).isEqualTo(shownLink);
        assertThat(Mailbox.text(invitation)).contains("Acme").doesNotContain("/brand/");
        // Its HTML part shows Acme's logo, from the portal, named for people who do not load images.
        assertThat(Mailbox.html(invitation)).contains("<img src=\"" + portal + logoPath + "\" alt=\"Acme\"");

        // Ada opens it in her own browser, sets a password and is signed in.
        BrowserContext adaContext = newContext();
        BrowserPage ada = new BrowserPage(adaContext.newPage());
        ada.page.navigate(link);
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Join Acme as a partner");
        PlaywrightAssertions.assertThat(ada.page.locator("header img.program-logo"))
                .hasAttribute("src", logoPath);
        PlaywrightAssertions.assertThat(ada.page.locator("main")).containsText("ada@example.com");
        ada.shoot("partner-accept");
        ada.fill("Password", "short");
        ada.click("Accept and sign in");
        PlaywrightAssertions.assertThat(ada.page.locator("#f-password-error")).containsText("12");
        ada.fill("Password", ADA_PASSWORD);
        ada.click("Accept and sign in");
        ada.page.waitForURL(portal + "/partner");
        assertThat(ada.notice()).contains("Welcome, Ada Lovelace");
        // Her only program's logo tops her pages, loaded under the portal's CSP.
        Locator topLogo = ada.page.locator("header img.program-logo");
        PlaywrightAssertions.assertThat(topLogo).hasAttribute("src", logoPath);
        PlaywrightAssertions.assertThat(topLogo).hasAttribute("alt", "Acme");
        ada.page.waitForFunction("() => document.querySelector('header img.program-logo').naturalWidth > 0");
        ada.shoot("partner-dashboard-new");

        // The link worked once.
        try (BrowserContext other = newContext()) {
            BrowserPage again = new BrowserPage(other.newPage());
            again.page.navigate(link);
            PlaywrightAssertions.assertThat(again.page.locator("h1")).hasText("This link was already used");
            again.shoot("link-used");
            assertThat(again.problems).isEmpty();
        }

        // Ada makes a link of her own, copies it, and sees its QR code.
        ada.follow("Links");
        ada.shoot("partner-links-empty");
        ada.select("Program", "Acme");
        ada.fill("Slug", "ada");
        ada.click("Create link");
        assertThat(ada.notice()).isEqualTo("Link ada created. Copy it and share it.");
        String shareUrl = ada.valueOf("Share URL");
        assertThat(shareUrl).isEqualTo("http://127.0.0.1:" + stack.router.port() + "/r/ada");
        ada.click("Copy share URL");
        PlaywrightAssertions.assertThat(ada.page.locator("#share-url-status")).hasText("Copied to the clipboard.");
        ada.page.locator(".qr img").evaluate("img => img.decode()");
        String linkPath = ada.page.url().substring(portal.length());
        var png = adaContext.request().get(portal + linkPath + "/qr/png?size=256");
        assertThat(png.status()).isEqualTo(200);
        assertThat(png.body()).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        ada.shoot("partner-link");

        // A visitor clicks it; the merchant's server reports the sign-up and a purchase.
        stack.awaitRouterKnows("ada");
        String cref;
        try (BrowserContext visitorContext = newContext()) {
            var visitor = visitorContext.newPage();
            visitor.navigate(shareUrl);
            visitor.waitForURL(url -> url.startsWith(stack.shopUrl()));
            cref = PortalJourneyTest.query(visitor.url(), "cref");
        }
        String secretKey = secretKey();
        assertThat(api("POST", "/v1/identify", secretKey, "{\"cref\":\"" + cref + "\",\"userId\":\"u_1\"}")
                        .statusCode())
                .isIn(200, 201);
        HttpResponse<String> event = api(
                "POST",
                "/v1/events",
                secretKey,
                "{\"eventId\":\"inv_1\",\"userId\":\"u_1\",\"type\":\"purchase\",\"value\":\"49.00\",\"currency\":\"USD\"}");
        assertThat(event.statusCode()).as(event.body()).isEqualTo(201);

        // Ada sees the click, the conversion and the pending commission.
        ada.follow("Dashboard");
        PlaywrightAssertions.assertThat(ada.page.locator("#clicks-acme")).hasText("1");
        PlaywrightAssertions.assertThat(ada.page.locator("#billable-acme")).hasText("1");
        PlaywrightAssertions.assertThat(ada.page.locator("#conversions-acme")).hasText("1");
        PlaywrightAssertions.assertThat(ada.page.locator("#commissions-acme")).hasText("$4.90");
        PlaywrightAssertions.assertThat(ada.page.locator("#balance-USD-pending"))
                .hasText("$4.90");
        PlaywrightAssertions.assertThat(ada.page.locator("#balance-USD-approved"))
                .hasText("$0.00");
        PlaywrightAssertions.assertThat(ada.page.locator(".chart-canvas canvas"))
                .hasCount(2);
        PlaywrightAssertions.assertThat(ada.page.locator(".program-block h2 img.program-logo"))
                .hasAttribute("src", logoPath);
        ada.assertOneClickInEveryDimensionTable();
        ada.shoot("partner-dashboard");
        // Each link's own figures, on the links page.
        ada.follow("Links");
        PlaywrightAssertions.assertThat(ada.page.locator("#link-clicks-ada")).hasText("1");
        PlaywrightAssertions.assertThat(ada.page.locator("#link-conversions-ada"))
                .hasText("1");
        ada.shoot("partner-links");
        ada.follow("Commissions");
        PlaywrightAssertions.assertThat(ada.page.locator("#commissions")).containsText("purchase of $49.00");
        PlaywrightAssertions.assertThat(ada.page.locator("#commissions")).containsText("pending");
        PlaywrightAssertions.assertThat(ada.page.locator("#commissions")).containsText("$4.90");
        PlaywrightAssertions.assertThat(ada.page.locator("#commissions")).not().containsText("u_1");
        ada.shoot("partner-commissions");
        ada.follow("Payouts");
        PlaywrightAssertions.assertThat(ada.page.locator("#payouts")).containsText("No payouts yet");
        ada.shoot("partner-payouts");

        // Payout details: stored, and only ever shown masked; a note goes to Ada's email.
        ada.follow("Payout details");
        ada.shoot("partner-payout-details");
        ada.select("Method", "PayPal");
        ada.fill("PayPal email", "not an email");
        ada.click("Save payout details");
        PlaywrightAssertions.assertThat(ada.page.locator("#f-paypalEmail-error"))
                .isVisible();
        ada.fill("PayPal email", "ada.payouts@example.com");
        ada.click("Save payout details");
        assertThat(ada.notice()).startsWith("Payout details saved");
        PlaywrightAssertions.assertThat(ada.page.locator("#payout-details-current"))
                .containsText("@example.com");
        PlaywrightAssertions.assertThat(ada.page.locator("main")).not().containsText("ada.payouts");
        assertThat(ada.valueOf("PayPal email")).isEmpty();
        MimeMessage changed = mail.await("ada@example.com", 2);
        assertThat(Mailbox.text(changed)).contains(portal + "/partner/payout-details");

        // Profile: a new name at once; a new email only once its link is opened.
        ada.follow("Profile");
        ada.shoot("partner-profile");
        ada.fill("Name", "Ada King");
        ada.click("Save name");
        assertThat(ada.notice()).isEqualTo("Name changed to Ada King.");
        PlaywrightAssertions.assertThat(ada.page.locator(".account-name")).hasText("Ada King");
        ada.fill("New email", "ada.king@example.com");
        ada.fill("Password, to confirm it is you", "not my password at all");
        ada.click("Change email");
        PlaywrightAssertions.assertThat(ada.page.locator("#f-email-currentPassword-error"))
                .isVisible();
        ada.fill("Password, to confirm it is you", ADA_PASSWORD);
        ada.click("Change email");
        assertThat(ada.notice()).startsWith("We sent a link to ada.king@example.com.");
        PlaywrightAssertions.assertThat(ada.page.locator("#profile-email")).hasText("ada@example.com");
        PlaywrightAssertions.assertThat(ada.page.locator("#profile-pending-email"))
                .containsText("ada.king@example.com");
        String confirm = Mailbox.link(mail.await("ada.king@example.com", 1), portal + "/confirm-email/");
        ada.page.navigate(confirm);
        // Opening the link changes nothing (mail scanners open links): the button does.
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Confirm your new email");
        ada.shoot("confirm-email");
        ada.click("Confirm new email");
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Email changed");
        PlaywrightAssertions.assertThat(ada.page.locator("main")).containsText("ada.king@example.com");
        ada.shoot("email-changed");
        // Used once: the page says so at once, with no button.
        ada.page.navigate(confirm);
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("This link was already used");

        // Another partner's link, by URL: the same page as a link that does not exist.
        String bobsLink = otherPartnersLink();
        ada.page.navigate(portal + "/partner/links/" + bobsLink);
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Not found");
        assertThat(adaContext
                        .request()
                        .get(portal + "/partner/links/" + bobsLink + "/qr/svg")
                        .status())
                .isEqualTo(404);
        assertThat(adaContext
                        .request()
                        .get(portal + "/partner/links/" + bobsLink)
                        .text())
                .doesNotContain("/r/bob");
        // Nothing of the admin's side, and the portal's address leads Ada to her own dashboard.
        ada.page.navigate(portal + "/partners");
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Not for this account");
        ada.page.navigate(portal + "/");
        ada.page.waitForURL(portal + "/partner");
        // And the admin sees nothing of the partner portal.
        admin.page.navigate(portal + "/partner");
        PlaywrightAssertions.assertThat(admin.page.locator("h1")).hasText("Not for this account");
        ada.problems.removeIf(problem -> problem.contains("/partner/links/" + bobsLink));

        // Forgotten password: the reset link arrives at the new address and signs Ada in.
        ada.click("Sign out");
        ada.page.waitForURL(portal + "/sign-in");
        ada.follow("Forgot password?");
        ada.fill("Email", "ada.king@example.com");
        ada.shoot("forgot-password");
        ada.click("Send reset link");
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("Check your mail");
        String reset = Mailbox.link(mail.await("ada.king@example.com", 2), portal + "/reset-password/");
        ada.page.navigate(reset);
        PlaywrightAssertions.assertThat(ada.page.locator("main")).containsText("ada.king@example.com");
        ada.shoot("reset-password");
        ada.fill("New password", ADA_PASSWORD + " renewed");
        ada.click("Set password and sign in");
        ada.page.waitForURL(portal + "/partner");
        ada.page.navigate(reset);
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("This link was already used");
        ada.page.navigate(portal + "/reset-password/ck_rst_" + "x".repeat(43));
        PlaywrightAssertions.assertThat(ada.page.locator("h1")).hasText("This link is not valid");
        ada.shoot("link-invalid");

        String charlesInvitation = applyAndBeApproved(admin);

        // Acme gives its partners generated slugs from now on: Ada's form no longer offers one.
        admin.page.navigate(portal + "/programs/" + programId);
        admin.page.getByLabel("Partners may choose their own link slugs").uncheck();
        admin.click("Save program");
        assertThat(admin.notice()).isEqualTo("Program Acme saved.");
        ada.page.navigate(portal + "/partner/links");
        PlaywrightAssertions.assertThat(ada.page.locator("input[name=slug]")).hasCount(0);
        ada.click("Create link");
        assertThat(ada.notice()).startsWith("Link ");
        assertThat(ada.valueOf("Share URL")).doesNotEndWith("/r/ada");

        // Revoking Ada signs her out at once.
        admin.page.navigate(portal + "/partners?q=ada.king");
        admin.follow("Ada King");
        admin.follow("Revoke Ada King…");
        PlaywrightAssertions.assertThat(admin.page.locator("main")).containsText("signed out of the partner portal");
        admin.click("Revoke Ada King");
        assertThat(admin.notice()).isEqualTo("Ada King is revoked.");
        // The portal asks the api who a session is at most every 10 s; the next api call fails anyway.
        ada.page.navigate(portal + "/partner/commissions");
        ada.page.waitForURL(url -> url.startsWith(portal + "/sign-in"));

        // Eight days on, Charles's invitation, never accepted, has expired (the api's clock moves).
        stack.apiClock.advance(Duration.ofDays(8));
        try (BrowserContext late = newContext()) {
            BrowserPage charles = new BrowserPage(late.newPage());
            charles.page.navigate(charlesInvitation);
            PlaywrightAssertions.assertThat(charles.page.locator("h1")).hasText("This link has expired");
            PlaywrightAssertions.assertThat(charles.page.locator("main")).containsText("7 days");
            charles.shoot("link-expired");
            assertThat(charles.problems).isEmpty();
        }

        assertThat(ada.problems).as("console errors and failed requests").isEmpty();
        assertThat(admin.problems).as("console errors and failed requests").isEmpty();
        adaContext.close();
        adminContext.close();
    }

    /** The program's public page, an application, the admin's approval, and the applicant's mail. */
    private String applyAndBeApproved(BrowserPage admin) throws Exception {
        String portal = stack.portalUrl();
        admin.page.navigate(portal + "/programs/" + programId + "/application-form");
        admin.shoot("application-form");
        admin.page.getByLabel("Take applications on the public page").check();
        admin.fill("Program terms", "Promote Acme honestly.\nNo paid search on our brand.");
        admin.click("Save application page");
        assertThat(admin.notice()).startsWith("Saved. The application page is open at " + portal + "/apply/acme");

        try (BrowserContext applicantContext = newContext()) {
            BrowserPage applicant = new BrowserPage(applicantContext.newPage());
            applicant.page.navigate(portal + "/apply/acme");
            PlaywrightAssertions.assertThat(applicant.page.locator("h1")).hasText("Apply to Acme");
            // The program's own page wears its logo, for someone with no session at all.
            PlaywrightAssertions.assertThat(applicant.page.locator("header img.program-logo"))
                    .hasAttribute("alt", "Acme");
            applicant.page.waitForFunction("() => document.querySelector('header img.program-logo').naturalWidth > 0");
            PlaywrightAssertions.assertThat(applicant.page.locator(".terms-text"))
                    .containsText("No paid search");
            // The honeypot is there for bots, but no person sees it.
            PlaywrightAssertions.assertThat(applicant.page.locator("input[name=nickname]"))
                    .isHidden();
            applicant.fill("Your name", "Charles Babbage");
            applicant.fill("Email", "charles@example.com");
            applicant.fill("Website", "https://engines.example.com");
            applicant.fill("How will you promote Acme?", "A newsletter about calculating engines, 4,000 readers.");
            applicant.shoot("apply");
            applicant.click("Send application");
            // Terms not accepted: said next to the box, and what was typed stays.
            PlaywrightAssertions.assertThat(applicant.page.locator("#f-termsAccepted-error"))
                    .isVisible();
            assertThat(applicant.valueOf("Email")).isEqualTo("charles@example.com");
            applicant
                    .page
                    .getByLabel("I have read and accept the program terms")
                    .check();
            applicant.click("Send application");
            PlaywrightAssertions.assertThat(applicant.page.locator("h1")).hasText("Thank you for applying");
            applicant.shoot("apply-thanks");
            assertThat(applicant.problems).isEmpty();
        }
        // Admins hear of it by mail.
        MimeMessage received = mail.await(ADMIN_EMAIL, 1);
        assertThat(Mailbox.text(received)).contains(portal + "/applications");

        admin.follow("Applications");
        PlaywrightAssertions.assertThat(admin.page.locator("#applications")).containsText("Charles Babbage");
        admin.shoot("applications");
        admin.follow("Review or reject");
        PlaywrightAssertions.assertThat(admin.page.locator("main")).containsText("calculating engines");
        admin.shoot("application");
        admin.click("Approve Charles Babbage");
        assertThat(admin.notice())
                .isEqualTo("Approved Charles Babbage: they got a mail with the link to set their password.");
        MimeMessage approved = mail.await("charles@example.com", 1);
        String invitation = Mailbox.link(approved, portal + "/invitations/partner/");
        try (BrowserContext charlesContext = newContext()) {
            BrowserPage charles = new BrowserPage(charlesContext.newPage());
            charles.page.navigate(invitation);
            PlaywrightAssertions.assertThat(charles.page.locator("main")).containsText("charles@example.com");
        }

        // The mail log shows what went out, never a body.
        admin.follow("Mail");
        PlaywrightAssertions.assertThat(admin.page.locator("#mail")).containsText("charles@example.com");
        PlaywrightAssertions.assertThat(admin.page.locator("#mail")).not().containsText("/invitations/partner/");
        admin.shoot("mail");
        return invitation;
    }

    private static BrowserContext newContext() {
        return browser.newContext(new Browser.NewContextOptions()
                .setUserAgent(USER_AGENT)
                .setViewportSize(BrowserPage.DESKTOP_WIDTH, 800)
                .setLocale("en-US")
                .setPermissions(List.of("clipboard-read", "clipboard-write")));
    }

    private static void signIn(BrowserPage page, String email, String password) {
        page.page.navigate(stack.portalUrl() + "/sign-in");
        page.fill("Email", email);
        page.fill("Password", password);
        page.click("Sign in");
    }

    private static String secretKey() throws Exception {
        HttpResponse<String> created = api(
                "POST",
                "/v1/api-keys",
                PortalStack.ADMIN_KEY,
                "{\"kind\":\"secret\",\"programId\":\"" + programId + "\",\"name\":\"Checkout server\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    /** Bob, another partner of Acme, with a link of his own; its id. */
    private static String otherPartnersLink() throws Exception {
        HttpResponse<String> bob =
                api("POST", "/v1/partners", PortalStack.ADMIN_KEY, "{\"name\":\"Bob\",\"email\":\"bob@example.com\"}");
        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(201);
        String bobId = JSON.readTree(bob.body()).path("id").asText();
        HttpResponse<String> link = api(
                "POST",
                "/v1/links",
                PortalStack.ADMIN_KEY,
                "{\"programId\":\"" + programId + "\",\"partnerId\":\"" + bobId + "\",\"slug\":\"bob\"}");
        assertThat(link.statusCode()).as(link.body()).isEqualTo(201);
        JsonNode created = JSON.readTree(link.body());
        return created.path("id").asText();
    }

    private static HttpResponse<String> api(String method, String path, String key, String body) throws Exception {
        return stack.callApi(method, path, key, body);
    }
}
