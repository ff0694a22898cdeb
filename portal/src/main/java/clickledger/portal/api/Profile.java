package clickledger.portal.api;

/**
 * {@code GET /v1/me/profile}: the partner's name and email, an email change waiting for its
 * confirmation, and the signed-in person.
 */
public record Profile(String partnerId, String name, String email, String pendingEmail, Person person) {
    public record Person(String userId, String name, String email) {}
}
