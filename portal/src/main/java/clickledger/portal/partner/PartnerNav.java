package clickledger.portal.partner;

import clickledger.portal.api.MyAccount;
import clickledger.portal.api.Session;
import clickledger.portal.web.Guard;
import clickledger.portal.web.Layout;
import clickledger.portal.web.NavItem;
import clickledger.portal.web.Option;
import java.util.ArrayList;
import java.util.List;

/** The partner portal's menu, in order; every page under {@code /partner}, for partner sessions only. */
public final class PartnerNav {
    public static final String ROLE = Session.Me.PARTNER;
    public static final String ROOT = Guard.PARTNER_ROOT;

    public static final List<NavItem> ITEMS = List.of(
            new NavItem("Dashboard", "/partner", "dashboard"),
            new NavItem("Links", "/partner/links", "links"),
            new NavItem("Commissions", "/partner/commissions", "commissions"),
            new NavItem("Payouts", "/partner/payouts", "payouts"),
            new NavItem("Payout details", "/partner/payout-details", "payout-details"),
            new NavItem("Profile", "/partner/profile", "profile"));

    private PartnerNav() {}

    /**
     * The layout with the logo of the program in view in the top bar (with the program's name as
     * its alt text): the one the page is about or filtered on, else the partner's only program;
     * none when several are in view or the program has no logo.
     */
    public static Layout withLogo(Layout layout, MyAccount account, String programId) {
        String logo = account.topBarLogo(programId);
        if (logo == null) {
            return layout;
        }
        String shown = programId == null || programId.isBlank()
                ? account.programs().getFirst().programId()
                : programId;
        return layout.withProgramLogo(logo, account.programName(shown));
    }

    /** "All my programs" and each program of the partner, for a filter. */
    public static List<Option> programOptions(MyAccount account) {
        List<Option> options = new ArrayList<>();
        options.add(new Option("", "All my programs"));
        account.programs().forEach(program -> options.add(new Option(program.programId(), program.name())));
        return options;
    }
}
