package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.SessionSettings;
import clickledger.common.config.EnvReader;
import java.time.Duration;

/**
 * The settings of people, sign-in and sessions, read with the rest of the api's environment.
 *
 * @param portalUrl PORTAL_URL: where people open the portal; invitation links point there
 * @param sessions SESSION_IDLE_MINUTES and SESSION_MAX_HOURS
 * @param loginPerAddressPerMinute LOGIN_RATE_LIMIT_PER_MINUTE: sign-in attempts per client address
 *     a minute
 * @param loginPerAccountPerHour LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: sign-in attempts per email an
 *     hour, whoever makes them
 */
public record PeopleConfig(
        String portalUrl, SessionSettings sessions, int loginPerAddressPerMinute, int loginPerAccountPerHour) {
    public static final String DEFAULT_PORTAL_URL = "http://localhost:8080";
    // A person mistyping a password tries a few times a minute; ten leaves room for several people
    // behind one office NAT and still caps one address at 600 guesses an hour.
    public static final int DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE = 10;
    // Against guessing one account from many addresses: 20 an hour is 480 a day, hopeless against a
    // 12-character password outside the common list, and a person locked out waits 3 minutes for a try.
    public static final int DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR = 20;

    public PeopleConfig {
        requireNonNull(portalUrl, "portalUrl is null");
        requireNonNull(sessions, "sessions is null");
    }

    public static PeopleConfig defaults() {
        return new PeopleConfig(
                DEFAULT_PORTAL_URL,
                SessionSettings.defaults(),
                DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE,
                DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR);
    }

    public static PeopleConfig fromEnv(EnvReader env) {
        String portalUrl = env.baseUrl("PORTAL_URL", DEFAULT_PORTAL_URL);
        int idleMinutes = env.integer("SESSION_IDLE_MINUTES", SessionSettings.DEFAULT_IDLE_MINUTES, 5, 525_600);
        int maxHours = env.integer("SESSION_MAX_HOURS", SessionSettings.DEFAULT_MAX_HOURS, 1, 8_760);
        SessionSettings sessions = SessionSettings.defaults();
        if (Duration.ofHours(maxHours).compareTo(Duration.ofMinutes(idleMinutes)) < 0) {
            env.problem("SESSION_MAX_HOURS (" + maxHours + ") must be at least SESSION_IDLE_MINUTES (" + idleMinutes
                    + " minutes)");
        } else {
            sessions = new SessionSettings(Duration.ofMinutes(idleMinutes), Duration.ofHours(maxHours));
        }
        int perAddress = env.integer("LOGIN_RATE_LIMIT_PER_MINUTE", DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE, 1, 100_000);
        int perAccount =
                env.integer("LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR, 1, 100_000);
        return new PeopleConfig(portalUrl, sessions, perAddress, perAccount);
    }
}
