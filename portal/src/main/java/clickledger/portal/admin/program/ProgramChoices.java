package clickledger.portal.admin.program;

import clickledger.portal.web.Option;
import java.util.List;

/** The choices program forms offer; the api checks them all again. */
public final class ProgramChoices {
    public static final List<Option> ATTRIBUTION_MODELS = Option.of(
            "last_click", "Last click",
            "first_click", "First click",
            "linear", "Linear (equal shares)",
            "position", "Position (40 / 20 / 40)",
            "time_decay", "Time decay (half-life 7 days)");

    public static final List<Option> STATUSES = Option.of("active", "Active", "paused", "Paused", "ended", "Ended");

    public static final List<Option> RULE_KINDS = Option.of("percent", "Percent of the value", "fixed", "Fixed amount");

    public static final List<Option> RULE_TRIGGERS = Option.of(
            "every", "Every conversion",
            "first", "First conversion of a customer",
            "subsequent", "Later conversions of a customer");

    private ProgramChoices() {}
}
