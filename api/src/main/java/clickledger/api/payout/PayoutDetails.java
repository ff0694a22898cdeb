package clickledger.api.payout;

/**
 * Where a partner wants to be paid, decrypted: the PayPal email, or bank details as the partner
 * typed them for a Wise transfer. Stored (encrypted) by the partner's own pages (issue 15).
 *
 * @param method {@code paypal} or {@code wise}
 * @param paypalEmail null unless the method is paypal
 * @param bankDetails null unless the method is wise
 */
public record PayoutDetails(String method, String paypalEmail, String bankDetails) {
    public static final String PAYPAL = "paypal";
    public static final String WISE = "wise";
}
