package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.FieldErrors;
import clickledger.api.link.LinkId;
import clickledger.api.link.LinkTag;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What {@code GET /v1/stats} was asked: a program, a range of whole UTC days (both ends
 * included), how to group the rows, and optionally one partner or one link.
 *
 * @param partnerId null for every partner of the program
 * @param linkId null for every link
 * @param tag only the links with this tag (normalised, issue 19); null for every link
 */
public record StatsQuery(
        ProgramId programId,
        LocalDate from,
        LocalDate to,
        GroupBy groupBy,
        PartnerId partnerId,
        LinkId linkId,
        String tag) {
    public static final int DEFAULT_DAYS = 30;
    // Three years of days is at most 1,096 rows by day, and bounds the rows a query sums.
    public static final int MAX_YEARS = 3;
    private static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);
    private static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

    public StatsQuery {
        requireNonNull(programId, "programId is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(groupBy, "groupBy is null");
        checkRange(from, to);
    }

    public StatsQuery(
            ProgramId programId, LocalDate from, LocalDate to, GroupBy groupBy, PartnerId partnerId, LinkId linkId) {
        this(programId, from, to, groupBy, partnerId, linkId, null);
    }

    /** True when only some links count (one link, or a tag's): the figures come from the link grain. */
    public boolean linkScoped() {
        return linkId != null || tag != null;
    }

    /**
     * Reads the query string. Without from and to the range is the last {@value #DEFAULT_DAYS}
     * days up to today; with only one of them, the other is today (for from) or 29 days earlier
     * (for to). Every bad parameter is reported at once.
     */
    public static StatsQuery fromRequest(Context ctx, LocalDate today) {
        FieldErrors errors = new FieldErrors();
        String programText = ctx.queryParam("programId");
        ProgramId programId = errors.check(() -> ProgramId.parse("programId", programText));
        LocalDate from = errors.check(() -> date("from", optional(ctx, "from")));
        LocalDate to = errors.check(() -> date("to", optional(ctx, "to")));
        String groupByText = optional(ctx, "groupBy");
        GroupBy groupBy =
                groupByText == null ? GroupBy.DAY : errors.check(() -> GroupBy.fromWire("groupBy", groupByText));
        String partnerText = optional(ctx, "partnerId");
        PartnerId partnerId =
                partnerText == null ? null : errors.check(() -> PartnerId.parse("partnerId", partnerText));
        String linkText = optional(ctx, "linkId");
        LinkId linkId = linkText == null ? null : errors.check(() -> LinkId.parse("linkId", linkText));
        String tagText = optional(ctx, "tag");
        String tag = tagText == null ? null : errors.check(() -> LinkTag.parse("tag", tagText));
        errors.throwIfAny();
        Days days = days(from, to, today);
        return new StatsQuery(programId, days.from(), days.to(), groupBy, partnerId, linkId, tag);
    }

    /** A range of whole UTC days, both ends included. */
    public record Days(LocalDate from, LocalDate to) {}

    /**
     * {@code ?from=&to=} alone (for the partner's own stats), read and defaulted as
     * {@link #fromRequest} reads them.
     */
    public static Days daysFromRequest(Context ctx, LocalDate today) {
        FieldErrors errors = new FieldErrors();
        LocalDate from = errors.check(() -> date("from", optional(ctx, "from")));
        LocalDate to = errors.check(() -> date("to", optional(ctx, "to")));
        errors.throwIfAny();
        return days(from, to, today);
    }

    private static Days days(LocalDate from, LocalDate to, LocalDate today) {
        if (to == null) {
            to = today;
            // Only from was sent: report a bad range against it, not against a to the client never sent.
            if (from != null && from.isAfter(to)) {
                throw ApiException.badRequest("from", "must not be after today when to is left out");
            }
            if (from != null && !to.isBefore(from.plusYears(MAX_YEARS))) {
                throw ApiException.badRequest(
                        "from", "must be less than " + MAX_YEARS + " years before today when to is left out");
            }
        }
        if (from == null) {
            from = to.minusDays(DEFAULT_DAYS - 1);
        }
        checkRange(from, to);
        return new Days(from, to);
    }

    /** The same question about one partner only. */
    public StatsQuery forPartner(PartnerId partner) {
        return new StatsQuery(programId, from, to, groupBy, partner, linkId, tag);
    }

    static void checkRange(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw ApiException.badRequest("to", "must be on or after from");
        }
        if (!to.isBefore(from.plusYears(MAX_YEARS))) {
            throw ApiException.badRequest("to", "must be less than " + MAX_YEARS + " years after from");
        }
    }

    private static LocalDate date(String field, String text) {
        if (text == null) {
            return null;
        }
        LocalDate date;
        try {
            date = LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, "must be a date like 2030-01-31");
        }
        if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
            throw ApiException.badRequest(field, "must be between " + EARLIEST + " and " + LATEST);
        }
        return date;
    }

    private static String optional(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
