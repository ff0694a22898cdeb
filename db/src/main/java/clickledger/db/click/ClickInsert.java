package clickledger.db.click;

/**
 * The one statement that inserts a batch of clicks idempotently: every column as an array
 * parameter, unnested into rows, {@code on conflict (id, ts) do nothing}. The router's spool replay
 * uses it, and {@code make bench}'s write ceiling measures exactly it; parameters in this order:
 * id uuid[], ts as epoch milliseconds bigint[], link_id, program_id, partner_id uuid[], ip_hash
 * bytea[], user_agent, referer, landing_url, country, utm_source, utm_medium, utm_campaign,
 * utm_term, utm_content text[], is_bot boolean[], bot_reason, fraud_flag, device, browser, os,
 * referrer_domain text[].
 */
public final class ClickInsert {
    public static final String UNNEST =
            """
            insert into click (id, ts, link_id, program_id, partner_id, ip_hash, user_agent, referer, landing_url,
                               country, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
                               is_bot, bot_reason, fraud_flag, device, browser, os, referrer_domain)
            select id, timestamptz 'epoch' + ms * interval '1 millisecond', link_id, program_id, partner_id, ip_hash,
                   user_agent, referer, landing_url, country, utm_source, utm_medium, utm_campaign, utm_term,
                   utm_content, is_bot, bot_reason, fraud_flag, device, browser, os, referrer_domain
            from unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::uuid[], ?::uuid[], ?::bytea[], ?::text[], ?::text[],
                        ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                        ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                 as t(id, ms, link_id, program_id, partner_id, ip_hash, user_agent, referer, landing_url, country,
                      utm_source, utm_medium, utm_campaign, utm_term, utm_content, is_bot, bot_reason, fraud_flag,
                      device, browser, os, referrer_domain)
            on conflict (id, ts) do nothing""";

    private ClickInsert() {}
}
