package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

/** Every typed client of the api, built once over one {@link ApiClient}; pages take the ones they need. */
public record Api(
        InstallClient install,
        SessionsClient sessions,
        AdminsClient admins,
        ProgramsClient programs,
        PartnersClient partners,
        LinksClient links,
        CommissionsClient commissions,
        WebhooksClient webhooks,
        ApiKeysClient apiKeys,
        StatsClient stats,
        AuditClient audit,
        StripeClient stripe,
        MeClient me,
        PartnerInvitationsClient partnerInvitations,
        ApplicationsClient applications,
        MailClient mail,
        AccountLinksClient accountLinks,
        PayoutsClient payouts,
        DomainsClient domains) {

    public static Api over(ApiClient client) {
        requireNonNull(client, "client is null");
        return new Api(
                new InstallClient(client),
                new SessionsClient(client),
                new AdminsClient(client),
                new ProgramsClient(client),
                new PartnersClient(client),
                new LinksClient(client),
                new CommissionsClient(client),
                new WebhooksClient(client),
                new ApiKeysClient(client),
                new StatsClient(client),
                new AuditClient(client),
                new StripeClient(client),
                new MeClient(client),
                new PartnerInvitationsClient(client),
                new ApplicationsClient(client),
                new MailClient(client),
                new AccountLinksClient(client),
                new PayoutsClient(client),
                new DomainsClient(client));
    }
}
