package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.SessionSettings;
import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import java.time.Duration;
import java.util.List;

/**
 * The settings of people, sign-in and sessions, read with the rest of the api's environment.
 *
 * @param portalUrl PORTAL_URL: where people open the portal; invitation links point there
 * @param sessions SESSION_IDLE_MINUTES and SESSION_MAX_HOURS
 * @param loginPerAddressPerMinute LOGIN_RATE_LIMIT_PER_MINUTE: sign-in attempts per client address
 *     a minute
 * @param loginPerAccountPerHour LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: sign-in attempts per email an
 *     hour, whoever makes them
 * @param passwordResetsPerHour PASSWORD_RESET_RATE_LIMIT_PER_HOUR: reset requests per client address,
 *     and per email, an hour
 * @param applicationsPerHour APPLICATION_RATE_LIMIT_PER_HOUR: public applications per client
 *     address an hour
 */
public record PeopleConfig(
        String portalUrl,
        SessionSettings sessions,
        int loginPerAddressPerMinute,
        int loginPerAccountPerHour,
        int passwordResetsPerHour,
        int applicationsPerHour) {
    public static final String DEFAULT_PORTAL_URL = "http://localhost:8080";
    // A person mistyping a password tries a few times a minute; ten leaves room for several people
    // behind one office NAT and still caps one address at 600 guesses an hour.
    public static final int DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE = 10;
    // Against guessing one account from many addresses: 20 an hour is 480 a day, hopeless against a
    // 12-character password outside the common list, and a person locked out waits 3 minutes for a try.
    public static final int DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR = 20;
    // Each request may send a mail: a few an hour is plenty for a person who lost a link, and keeps
    // anyone from flooding an inbox through the api.
    public static final int DEFAULT_PASSWORD_RESETS_PER_HOUR = 5;
    // A person applies to a program once; five an hour leaves room for several people behind one NAT.
    public static final int DEFAULT_APPLICATIONS_PER_HOUR = 5;

    public static final Setting SESSION_IDLE_MINUTES = Setting.withDefault(
            "SESSION_IDLE_MINUTES",
            Integer.toString(SessionSettings.DEFAULT_IDLE_MINUTES),
            "a signed-in session unused this long ends ([people and sessions](people-and-sessions.md))");
    public static final Setting SESSION_MAX_HOURS = Setting.withDefault(
            "SESSION_MAX_HOURS",
            Integer.toString(SessionSettings.DEFAULT_MAX_HOURS),
            "a session ends this long after sign-in however much it is used");
    public static final Setting LOGIN_RATE_LIMIT_PER_MINUTE = Setting.withDefault(
            "LOGIN_RATE_LIMIT_PER_MINUTE",
            Integer.toString(DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE),
            "sign-in attempts per client address (IPv6: per /64) per minute; beyond it, 429 with `Retry-After`."
                    + " Behind the portal, put the portal's address in `TRUSTED_PROXIES`");
    public static final Setting LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR = Setting.withDefault(
            "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR",
            Integer.toString(DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR),
            "sign-in attempts per email per hour, from any address, whether or not the account exists");

    public static final Setting PASSWORD_RESET_RATE_LIMIT_PER_HOUR = Setting.withDefault(
            "PASSWORD_RESET_RATE_LIMIT_PER_HOUR",
            Integer.toString(DEFAULT_PASSWORD_RESETS_PER_HOUR),
            "password reset requests per client address, and per email, per hour; beyond it, 429 with `Retry-After`");
    public static final Setting APPLICATION_RATE_LIMIT_PER_HOUR = Setting.withDefault(
            "APPLICATION_RATE_LIMIT_PER_HOUR",
            Integer.toString(DEFAULT_APPLICATIONS_PER_HOUR),
            "public partner applications (`POST /v1/apply/{slug}`) per client address per hour");

    /** The variables read here, in the order docs/configuration.md lists them. */
    public static final List<Setting> SETTINGS = List.of(
            SharedSettings.PORTAL_URL,
            SESSION_IDLE_MINUTES,
            SESSION_MAX_HOURS,
            LOGIN_RATE_LIMIT_PER_MINUTE,
            LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR,
            PASSWORD_RESET_RATE_LIMIT_PER_HOUR,
            APPLICATION_RATE_LIMIT_PER_HOUR);

    public PeopleConfig {
        requireNonNull(portalUrl, "portalUrl is null");
        requireNonNull(sessions, "sessions is null");
    }

    public static PeopleConfig defaults() {
        return new PeopleConfig(
                DEFAULT_PORTAL_URL,
                SessionSettings.defaults(),
                DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE,
                DEFAULT_LOGIN_PER_ACCOUNT_PER_HOUR,
                DEFAULT_PASSWORD_RESETS_PER_HOUR,
                DEFAULT_APPLICATIONS_PER_HOUR);
    }

    public static PeopleConfig fromEnv(EnvReader env) {
        String portalUrl = env.baseUrl(SharedSettings.PORTAL_URL, DEFAULT_PORTAL_URL);
        int idleMinutes = env.integer(SESSION_IDLE_MINUTES, 5, 525_600);
        int maxHours = env.integer(SESSION_MAX_HOURS, 1, 8_760);
        SessionSettings sessions = SessionSettings.defaults();
        if (Duration.ofHours(maxHours).compareTo(Duration.ofMinutes(idleMinutes)) < 0) {
            env.problem("SESSION_MAX_HOURS (" + maxHours + ") must be at least SESSION_IDLE_MINUTES (" + idleMinutes
                    + " minutes)");
        } else {
            sessions = new SessionSettings(Duration.ofMinutes(idleMinutes), Duration.ofHours(maxHours));
        }
        int perAddress = env.integer(LOGIN_RATE_LIMIT_PER_MINUTE, 1, 100_000);
        int perAccount = env.integer(LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR, 1, 100_000);
        int resets = env.integer(PASSWORD_RESET_RATE_LIMIT_PER_HOUR, 1, 100_000);
        int applications = env.integer(APPLICATION_RATE_LIMIT_PER_HOUR, 1, 100_000);
        return new PeopleConfig(portalUrl, sessions, perAddress, perAccount, resets, applications);
    }
}
