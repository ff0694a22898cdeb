package clickledger.api.compat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.rederive.RederiveService;
import clickledger.api.stats.ClickRollup;
import clickledger.api.transfer.Exporter;
import clickledger.api.transfer.Progress;
import clickledger.common.id.Ulid;
import clickledger.db.DataSources;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Imports OpenPartner's JSON export ({@code GET /export.json}: {@code {exportedAt, schemaVersion,
 * tables: {Partner: [...], Program: [...], ...}}}, raw rows of its tables) into clickledger, as far
 * as the shapes map (docs/openpartner.md, "Moving your data over"). Each OpenPartner table is
 * streamed into a staging table as one jsonb per row, then mapped with set-based SQL, so a large
 * export costs no memory. Ids are kept: OpenPartner's ids are ULIDs, the same 128 bits clickledger
 * shows, so a click keeps its cref and identify calls with old crefs still find it.
 *
 * <p>Attribution and commissions are not copied: clickledger derives them again from the imported
 * clicks, identities and events under the imported programs' rules, then carries OpenPartner's
 * status over (approved, paid, reversed) to the commission of the same event and partner, so
 * nothing OpenPartner already paid becomes payable again. Per partner, OpenPartner's total and
 * clickledger's are both in the report.
 */
public final class OpenPartnerImporter {
    /** OpenPartner's table names (v2; Campaign and PartnerCampaign are v1's names) staged here. */
    private static final Set<String> STAGED = Set.of(
            "Partner",
            "Program",
            "Campaign",
            "PartnerProgram",
            "PartnerCampaign",
            "PartnerCommission",
            "Link",
            "Click",
            "Identity",
            "Event",
            "Attribution",
            "Commission",
            "Payout");

    // One row at a time off the streaming parser; the rest of the document follows it.
    private static final com.fasterxml.jackson.databind.ObjectReader ROW_READER = Json.MAPPER
            .readerFor(JsonNode.class)
            .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What has no counterpart here, said in every report. */
    static final List<String> NOT_MAPPED = List.of(
            "Coupon: coupon-code attribution has no counterpart; coupon-driven conversions are not attributed",
            "Payout: payout batches are not imported; commissions OpenPartner paid are marked paid here",
            "CommissionAdjustment: compensating entries are not imported; their amounts are in OpenPartner's"
                    + " per-partner totals below",
            "PortalCustomDomain, Tenant, Admin, ApiKey, Session, webhooks: hosted or secret data, not imported",
            "Program.customerReward, categories, marketplace and network fields: no counterpart",
            "PartnerCommission.holdbackDays: holds are per program here; the partner's rate becomes the"
                    + " membership's commission override",
            "Click.ipHash: kept as bytes, but salted by OpenPartner, so the same visitor does not match"
                    + " clickledger's own hashes");

    public record Mapped(String table, long staged, long imported, long skipped, String note) {}

    public record PartnerTotal(String partnerId, String openPartner, String clickledger, String currency) {}

    public record Report(
            String source,
            int schemaVersion,
            List<Mapped> tables,
            List<PartnerTotal> partners,
            List<String> notMapped,
            List<String> notes) {}

    private final Exporter.Connections connections;
    private final RederiveService rederive;
    private final ClickRollup rollup;
    private final Clock clock;

    public OpenPartnerImporter(
            Exporter.Connections connections, RederiveService rederive, ClickRollup rollup, Clock clock) {
        this.connections = requireNonNull(connections, "connections is null");
        this.rederive = requireNonNull(rederive, "rederive is null");
        this.rollup = requireNonNull(rollup, "rollup is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Report importFile(Path file, Principal actor, Progress progress) throws IOException, SQLException {
        List<Mapped> mapped = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int schemaVersion;
        List<UUID> programs;
        LocalDate[] clickDays;
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            try {
                stageTables(connection);
                schemaVersion = stream(connection, file, progress);
                if (schemaVersion != 1 && schemaVersion != 2) {
                    throw ApiException.badRequest(
                            "file", "is an OpenPartner export of schema version " + schemaVersion + "; 1 and 2 import");
                }
                programs = map(connection, mapped, notes);
                clickDays = clickDays(connection);
                new AuditRepository(DataSources.dsl(connection))
                        .append(new AuditEntry(
                                clock.instant(),
                                actor.actor(),
                                "data.import_openpartner",
                                "import",
                                null,
                                Map.of("file", file.getFileName().toString(), "programs", programs.size())));
                connection.commit();
            } catch (IOException | SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        if (clickDays != null) {
            rollup.rebuild(clickDays[0], clickDays[1]);
        }
        Instant to = clock.instant().plus(Duration.ofDays(1));
        for (UUID program : programs) {
            rederive.rederive(new RederiveService.Request(program, null, Instant.EPOCH, to, false), actor);
        }
        List<PartnerTotal> totals;
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            stageTables(connection);
            stream(connection, file, Progress.NONE);
            carryStatuses(connection, mapped);
            totals = partnerTotals(connection);
            connection.commit();
        }
        progress.done();
        return new Report("openpartner", schemaVersion, mapped, totals, NOT_MAPPED, notes);
    }

    private static void stageTables(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String table : STAGED) {
                statement.execute("create temporary table \"op_" + table + "\" (row jsonb not null) on commit drop");
            }
            // OpenPartner's ids are ULID text; these are their 128 bits as a uuid (a non-ULID id
            // gets a stable uuid of its own), and the ULID's own millisecond.
            statement.execute(
                    """
                    create function pg_temp.op_uuid(id text) returns uuid language plpgsql immutable as $$
                    declare
                        alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
                        bits varbit := B'';
                        digit int;
                    begin
                        if id is null then return null; end if;
                        if length(id) <> 26 or upper(id) !~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$' then
                            return md5('openpartner:' || id)::uuid;
                        end if;
                        for i in 1..26 loop
                            digit := strpos(alphabet, substr(upper(id), i, 1)) - 1;
                            bits := bits || digit::bit(5);
                        end loop;
                        bits := substring(bits from 3);
                        return (select string_agg(to_hex(substring(bits from n * 4 + 1 for 4)::int), '' order by n)
                                from generate_series(0, 31) n)::uuid;
                    end $$""");
            statement.execute(
                    """
                    create function pg_temp.op_ulid_ts(id text) returns timestamptz language sql immutable as $$
                        select case when upper(id) ~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$'
                            then to_timestamp((('x' || substr(replace(pg_temp.op_uuid(id)::text, '-', ''), 1, 12))::bit(48)::bigint) / 1000.0)
                        end
                    $$""");
        }
    }

    /** Streams {@code tables.<Name>[]} into the staging tables; answers the schemaVersion. */
    private static int stream(Connection connection, Path file, Progress progress) throws IOException, SQLException {
        int schemaVersion = -1;
        boolean sawTables = false;
        try (InputStream in = Files.newInputStream(file);
                JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("file", "is not an OpenPartner export: not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("schemaVersion") && value.isNumeric()) {
                    schemaVersion = parser.getIntValue();
                } else if (field.equals("tables") && value == JsonToken.START_OBJECT) {
                    sawTables = true;
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String table = parser.currentName();
                        if (parser.nextToken() != JsonToken.START_ARRAY || !STAGED.contains(table)) {
                            parser.skipChildren();
                            continue;
                        }
                        progress.table("OpenPartner " + table, 0);
                        copyRows(connection, parser, table, progress);
                    }
                } else {
                    parser.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("file", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (!sawTables || schemaVersion < 0) {
            throw ApiException.badRequest(
                    "file", "is not an OpenPartner export: it needs schemaVersion and tables (GET /export.json)");
        }
        return schemaVersion;
    }

    private static void copyRows(Connection connection, JsonParser parser, String table, Progress progress)
            throws IOException, SQLException {
        CopyIn copy =
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn("copy \"op_" + table + "\" (row) from stdin");
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(70_000);
            long rows = 0;
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                JsonNode row = ROW_READER.readValue(parser);
                String text = row.toString()
                        .replace("\\", "\\\\")
                        .replace("\n", "\\n")
                        .replace("\r", "\\r")
                        .replace("\t", "\\t");
                buffer.writeBytes(text.getBytes(UTF_8));
                buffer.write('\n');
                if (buffer.size() > 64 * 1024) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
                if (++rows % 1000 == 0) {
                    progress.rows(1000);
                }
            }
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            copy.endCopy();
            progress.rows(rows % 1000);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** The mapping, table by table, parents first. Answers the programs whose events came over. */
    private List<UUID> map(Connection connection, List<Mapped> mapped, List<String> notes) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("insert into \"op_Program\" select row from \"op_Campaign\"");
            statement.execute(
                    "insert into \"op_PartnerProgram\" select row || jsonb_build_object('programId', row->'campaignId')"
                            + " from \"op_PartnerCampaign\"");
            // A program has no currency in OpenPartner: a fixed rule's, else its events' most common, else USD.
            String eventCurrency = single(
                    statement,
                    "select coalesce((select upper(row->>'currency') from \"op_Event\" where row->>'currency' ~ '^[A-Za-z]{3}$'"
                            + " group by 1 order by count(*) desc limit 1), 'USD')");
            run(
                    statement,
                    mapped,
                    "program",
                    "\"op_Program\"",
                    """
                    insert into program (id, slug, name, destination_url, currency, attribution_model, lookback_days,
                        holdback_days, commission_rules, starts_at, ends_at, status, created_at, updated_at)
                    select pg_temp.op_uuid(row->>'id'),
                        left(coalesce(nullif(trim(both '-' from regexp_replace(lower(row->>'name'), '[^a-z0-9]+', '-', 'g')), ''), 'program'), 50)
                            || '-' || lower(right(row->>'id', 6)),
                        coalesce(row->>'name', 'Program'), row->>'destinationUrl',
                        coalesce((select upper(rule->>'currency') from jsonb_array_elements(rules.list) rule
                                  where rule->>'currency' ~ '^[A-Za-z]{3}$' limit 1), '%s'),
                        case when row->>'attributionModel' in ('last_click', 'first_click', 'linear', 'position')
                             then row->>'attributionModel' else 'last_click' end,
                        least(greatest(coalesce((row->>'attributionWindowDays')::int, 60), 1), 3650),
                        least(greatest(coalesce((row->>'holdbackDays')::int, 0), 0), 3650),
                        coalesce((select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                                    'trigger', coalesce(rule->>'trigger', 'every'),
                                    'eventType', rule->>'eventType',
                                    'kind', rule->>'type',
                                    'amount', rule->>'value',
                                    'recurringMonths', rule->'recurringMonths')))
                                  from jsonb_array_elements(rules.list) rule where rule->>'type' in ('percent', 'fixed')), '[]'),
                        (row->>'startsAt')::timestamptz, (row->>'endsAt')::timestamptz, 'active',
                        coalesce((row->>'createdAt')::timestamptz, now()), coalesce((row->>'createdAt')::timestamptz, now())
                    from "op_Program",
                    lateral (select case jsonb_typeof(row->'commissionRule')
                                 when 'array' then row->'commissionRule'
                                 when 'object' then jsonb_build_array(row->'commissionRule')
                                 when 'string' then case when left(row->>'commissionRule', 1) = '['
                                     then (row->>'commissionRule')::jsonb else jsonb_build_array((row->>'commissionRule')::jsonb) end
                                 else '[]'::jsonb end as list) rules
                    where row->>'destinationUrl' is not null
                    on conflict do nothing"""
                            .formatted(eventCurrency));
            run(
                    statement,
                    mapped,
                    "partner",
                    "\"op_Partner\"",
                    """
                    insert into partner (id, email, name, status, created_at, updated_at)
                    select pg_temp.op_uuid(row->>'id'), row->>'email', coalesce(nullif(row->>'name', ''), row->>'email'),
                        case when row->>'revokedAt' is not null then 'revoked'
                             when row ? 'activatedAt' and row->>'activatedAt' is null then 'invited' else 'active' end,
                        coalesce((row->>'createdAt')::timestamptz, now()), coalesce((row->>'updatedAt')::timestamptz, now())
                    from "op_Partner" where row->>'email' is not null
                    on conflict do nothing""");
            run(
                    statement,
                    mapped,
                    "partner_program",
                    "(select row from \"op_PartnerProgram\" union all select row from \"op_Link\")",
                    """
                    insert into partner_program (partner_id, program_id, status, commission_override, created_at, updated_at)
                    select distinct on (1, 2) pg_temp.op_uuid(m.row->>'partnerId'),
                        pg_temp.op_uuid(coalesce(m.row->>'programId', m.row->>'campaignId')), 'approved',
                        (select jsonb_build_array(jsonb_build_object('trigger', 'every', 'kind', c.row->>'commissionType',
                                    'amount', trim(trailing '.' from trim(trailing '0' from c.row->>'commissionValue'))))
                         from "op_PartnerCommission" c where c.row->>'partnerId' = m.row->>'partnerId'
                             and c.row->>'commissionType' in ('percent', 'fixed') limit 1),
                        coalesce((m.row->>'createdAt')::timestamptz, now()), now()
                    from (select row from "op_PartnerProgram" union all select row from "op_Link") m
                    where exists (select 1 from partner p where p.id = pg_temp.op_uuid(m.row->>'partnerId'))
                      and exists (select 1 from program g where g.id = pg_temp.op_uuid(coalesce(m.row->>'programId', m.row->>'campaignId')))
                    on conflict do nothing""");
            run(
                    statement,
                    mapped,
                    "link",
                    "\"op_Link\"",
                    """
                    insert into link (id, slug, program_id, partner_id, destination_url, status, created_at, updated_at)
                    select pg_temp.op_uuid(row->>'id'), left(regexp_replace(row->>'linkKey', '[^A-Za-z0-9_-]', '-', 'g'), 64),
                        pg_temp.op_uuid(coalesce(row->>'programId', row->>'campaignId')), pg_temp.op_uuid(row->>'partnerId'),
                        row->>'destinationUrl', 'active',
                        coalesce((row->>'createdAt')::timestamptz, now()), coalesce((row->>'createdAt')::timestamptz, now())
                    from "op_Link" l
                    where coalesce(row->>'linkKey', '') <> ''
                      and exists (select 1 from program g where g.id = pg_temp.op_uuid(coalesce(l.row->>'programId', l.row->>'campaignId')))
                      and exists (select 1 from partner p where p.id = pg_temp.op_uuid(l.row->>'partnerId'))
                    on conflict do nothing""");
            // The click's time is its id's millisecond, as clickledger's own: a lookup by cref finds
            // its partition from the id alone. OpenPartner stamps ts separately, a few ms apart.
            run(
                    statement,
                    mapped,
                    "click",
                    "\"op_Click\"",
                    """
                    insert into click (id, ts, link_id, program_id, partner_id, ip_hash, user_agent, referer, landing_url,
                        country, utm_source, utm_medium, utm_campaign, utm_term, utm_content, is_bot, fraud_flag,
                        referrer_domain)
                    select pg_temp.op_uuid(row->>'id'), coalesce(pg_temp.op_ulid_ts(row->>'id'), (row->>'ts')::timestamptz),
                        pg_temp.op_uuid(row->>'linkId'), pg_temp.op_uuid(coalesce(row->>'programId', row->>'campaignId')),
                        pg_temp.op_uuid(row->>'partnerId'),
                        case when row->>'ipHash' ~ '^([0-9a-fA-F]{2})+$' then decode(row->>'ipHash', 'hex')
                             when row->>'ipHash' is not null then sha256(convert_to(row->>'ipHash', 'UTF8')) end,
                        row->>'userAgent', row->>'referer', row->>'landingUrl', row->>'country',
                        row->>'utmSource', row->>'utmMedium', row->>'utmCampaign', row->>'utmTerm', row->>'utmContent',
                        coalesce((row->>'isBot')::boolean, false), row->>'fraudFlag',
                        nullif(regexp_replace(lower(substring(row->>'referer' from '^[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#@]*@)?([A-Za-z0-9._-]+)')),
                            '^www\\.(.)', '\\1'), '')
                    from "op_Click" c
                    where exists (select 1 from link l where l.id = pg_temp.op_uuid(c.row->>'linkId'))
                    on conflict do nothing""");
            run(
                    statement,
                    mapped,
                    "identity",
                    "\"op_Identity\"",
                    """
                    insert into identity (id, program_id, click_id, click_ts, user_id, ts, created_at)
                    select pg_temp.op_uuid(i.row->>'id'), c.program_id, c.id, c.ts, i.row->>'userId',
                        coalesce((i.row->>'stitchedAt')::timestamptz, (i.row->>'createdAt')::timestamptz, c.ts), now()
                    from "op_Identity" i
                    join click c on c.id = pg_temp.op_uuid(i.row->>'clickId')
                        and c.ts = coalesce(pg_temp.op_ulid_ts(i.row->>'clickId'), c.ts)
                    where i.row->>'userId' is not null
                    on conflict do nothing""");
            // An event names no program in OpenPartner: the one OpenPartner attributed it to, else
            // the program of the user's latest identified click before it.
            statement.execute(
                    """
                    create temporary table op_event_program on commit drop as
                    select e.row->>'id' as event_id, coalesce(
                        (select pg_temp.op_uuid(coalesce(a.row->>'programId', a.row->>'campaignId')) from "op_Attribution" a
                         where a.row->>'eventId' = e.row->>'id' and coalesce(a.row->>'programId', a.row->>'campaignId') is not null limit 1),
                        (select i.program_id from identity i where i.user_id = e.row->>'userId'
                           and i.click_ts <= coalesce((e.row->>'ts')::timestamptz, now())
                         order by i.click_ts desc limit 1)) as program_id
                    from "op_Event" e""");
            try (ResultSet programs = statement.executeQuery("select id, currency from program where id in"
                    + " (select distinct program_id from op_event_program where program_id is not null)")) {
                Map<UUID, String> currencies = new LinkedHashMap<>();
                while (programs.next()) {
                    currencies.put(programs.getObject(1, UUID.class), programs.getString(2));
                }
                statement.execute("create temporary table op_digits (currency char(3), digits int) on commit drop");
                try (PreparedStatement digits = connection.prepareStatement("insert into op_digits values (?, ?)")) {
                    for (String code : Set.copyOf(currencies.values())) {
                        digits.setString(1, code);
                        digits.setInt(
                                2, Math.max(0, Currency.getInstance(code.trim()).getDefaultFractionDigits()));
                        digits.addBatch();
                    }
                    digits.executeBatch();
                }
            }
            run(
                    statement,
                    mapped,
                    "event",
                    "\"op_Event\"",
                    """
                    insert into event (id, program_id, event_key, user_id, type, value_minor, currency, metadata, ts, created_at)
                    select pg_temp.op_uuid(e.row->>'id'), p.id, nullif(e.row->>'externalEventId', ''), e.row->>'userId',
                        coalesce(e.row->>'type', 'event'),
                        case when e.row->>'value' is not null then round((e.row->>'value')::numeric * 10 ^ d.digits)::bigint end,
                        case when e.row->>'value' is not null then p.currency end,
                        case when jsonb_typeof(e.row->'metadata') = 'object' then e.row->'metadata' end,
                        coalesce((e.row->>'ts')::timestamptz, now()), now()
                    from "op_Event" e
                    join op_event_program ep on ep.event_id = e.row->>'id'
                    join program p on p.id = ep.program_id
                    join op_digits d on d.currency = p.currency
                    where e.row->>'userId' is not null
                      and (e.row->>'currency' is null or upper(e.row->>'currency') = p.currency)
                    on conflict do nothing""");
            long noProgram = count(statement, "select count(*) from op_event_program where program_id is null");
            if (noProgram > 0) {
                notes.add(noProgram + " event(s) had no program: OpenPartner attributed them to none and their user"
                        + " was never identified with an imported click");
            }
            long otherCurrency = count(
                    statement,
                    "select count(*) from \"op_Event\" e join op_event_program ep on ep.event_id = e.row->>'id'"
                            + " join program p on p.id = ep.program_id"
                            + " where upper(e.row->>'currency') <> p.currency");
            if (otherCurrency > 0) {
                notes.add(otherCurrency + " event(s) are in another currency than their program's and were not"
                        + " imported (a clickledger program has one currency)");
            }
            long movedClicks = count(
                    statement,
                    "select count(*) from \"op_Click\" where abs(extract(epoch from (row->>'ts')::timestamptz"
                            + " - pg_temp.op_ulid_ts(row->>'id'))) > 1");
            if (movedClicks > 0) {
                notes.add(movedClicks + " click(s) carry a ts more than a second from their id's own time;"
                        + " clickledger keeps the id's time (the partition key a cref lookup derives)");
            }
            notes.add("attribution and commissions were derived again here under each program's imported rules;"
                    + " OpenPartner's statuses (approved, paid, reversed) were carried to the commission of the same"
                    + " event and partner");
            return uuids(
                    statement,
                    "select distinct program_id from op_event_program where program_id is not null"
                            + " and program_id in (select id from program)");
        }
    }

    /** OpenPartner's decisions on money already made: approved, paid, reversed stay so. */
    private static void carryStatuses(Connection connection, List<Mapped> mapped) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            long carried = statement.executeUpdate(
                    """
                    update commission c set
                        status = case o.status when 'accrued' then c.status else o.status end,
                        updated_at = now()
                    from (select distinct on (1, 2) pg_temp.op_uuid(a.row->>'eventId') as event_id,
                              pg_temp.op_uuid(k.row->>'partnerId') as partner_id, k.row->>'status' as status
                          from "op_Commission" k join "op_Attribution" a on a.row->>'id' = k.row->>'attributionId'
                          where k.row->>'status' in ('approved', 'paid', 'reversed', 'accrued')
                          order by 1, 2, case k.row->>'status' when 'paid' then 0 when 'approved' then 1 else 2 end) o
                    where c.event_id = o.event_id and c.partner_id = o.partner_id and c.kind = 'commission'
                      and c.status in ('pending', 'approved') and o.status <> 'accrued'""");
            mapped.add(new Mapped(
                    "commission",
                    count(statement, "select count(*) from \"op_Commission\""),
                    carried,
                    0,
                    "derived here; OpenPartner's status carried to this many"));
        }
    }

    private static List<PartnerTotal> partnerTotals(Connection connection) throws SQLException {
        List<PartnerTotal> totals = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        """
                        select t.partner, t.currency, t.total,
                            (select sum(c.amount_minor) from commission c join program g on g.id = c.program_id
                             where c.partner_id = t.partner and g.currency = t.currency
                               and c.status not in ('rejected', 'reversed'))
                        from (select pg_temp.op_uuid(k.row->>'partnerId') as partner, upper(k.row->>'currency') as currency,
                                  sum((k.row->>'amount')::numeric) filter (where k.row->>'status' <> 'reversed') as total
                              from "op_Commission" k group by 1, 2) t
                        order by 1, 2""")) {
            while (rows.next()) {
                String currency = rows.getString(2);
                int digits = Currency.getInstance(currency).getDefaultFractionDigits();
                long ours = rows.getLong(4);
                totals.add(new PartnerTotal(
                        Ulid.encode(rows.getObject(1, UUID.class)),
                        rows.getBigDecimal(3) == null
                                ? "0"
                                : rows.getBigDecimal(3)
                                        .setScale(digits, java.math.RoundingMode.HALF_EVEN)
                                        .toPlainString(),
                        java.math.BigDecimal.valueOf(ours, digits).toPlainString(),
                        currency));
            }
        }
        return totals;
    }

    private static LocalDate[] clickDays(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select min(c.ts), max(c.ts) from click c"
                        + " where c.id in (select pg_temp.op_uuid(row->>'id') from \"op_Click\")")) {
            row.next();
            if (row.getObject(1) == null) {
                return null;
            }
            return new LocalDate[] {
                row.getObject(1, java.time.OffsetDateTime.class)
                        .atZoneSameInstant(ZoneOffset.UTC)
                        .toLocalDate(),
                row.getObject(2, java.time.OffsetDateTime.class)
                        .atZoneSameInstant(ZoneOffset.UTC)
                        .toLocalDate()
            };
        }
    }

    private static void run(Statement statement, List<Mapped> mapped, String table, String staged, String sql)
            throws SQLException {
        long rows = count(statement, "select count(*) from " + staged + " s");
        long imported = statement.executeUpdate(sql);
        mapped.add(new Mapped(table, rows, imported, rows - imported, null));
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static List<UUID> uuids(Statement statement, String sql) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }
}
