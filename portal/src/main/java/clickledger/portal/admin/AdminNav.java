package clickledger.portal.admin;

import clickledger.portal.web.NavItem;
import java.util.List;

/**
 * The admin menu, in order. Payouts (issue 16) and settings join by adding an entry; the partner
 * portal has a list of its own, {@link clickledger.portal.partner.PartnerNav}.
 */
public final class AdminNav {
    public static final String ROLE = clickledger.portal.api.Session.Me.ADMIN;

    public static final List<NavItem> ITEMS = List.of(
            new NavItem("Dashboard", "/", "dashboard"),
            new NavItem("Programs", "/programs", "programs"),
            new NavItem("Partners", "/partners", "partners"),
            new NavItem("Applications", "/applications", "applications"),
            new NavItem("Links", "/links", "links"),
            new NavItem("Commissions", "/commissions", "commissions"),
            new NavItem("Payouts", "/payouts", "payouts"),
            new NavItem("Webhooks", "/webhooks", "webhooks"),
            new NavItem("Mail", "/mail", "mail"),
            new NavItem("API keys", "/api-keys", "api-keys"),
            new NavItem("Audit log", "/audit", "audit"),
            new NavItem("Admins", "/admins", "admins"));

    private AdminNav() {}
}
