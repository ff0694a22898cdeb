package clickledger.portal.admin;

import clickledger.portal.web.NavItem;
import java.util.List;

/**
 * The admin menu, in order. Settings join by adding an entry; the partner
 * portal (issue 15) has a list of its own under {@code portal.partner}.
 */
public final class AdminNav {
    public static final String ROLE = "admin";

    public static final List<NavItem> ITEMS = List.of(
            new NavItem("Dashboard", "/", "dashboard"),
            new NavItem("Programs", "/programs", "programs"),
            new NavItem("Partners", "/partners", "partners"),
            new NavItem("Links", "/links", "links"),
            new NavItem("Commissions", "/commissions", "commissions"),
            new NavItem("Payouts", "/payouts", "payouts"),
            new NavItem("Webhooks", "/webhooks", "webhooks"),
            new NavItem("API keys", "/api-keys", "api-keys"),
            new NavItem("Audit log", "/audit", "audit"),
            new NavItem("Admins", "/admins", "admins"));

    private AdminNav() {}
}
