package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Secret;
import clickledger.common.config.Setting;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The mail settings, read once at start (docs/configuration.md, docs/partners-and-mail.md).
 *
 * @param smtp SMTP_URL: empty when mail goes to .eml files under {@code directory} instead
 * @param from SMTP_FROM: the sender of every message
 * @param startTls SMTP_STARTTLS: an {@code smtp://} server must upgrade to TLS (ignored for smtps)
 * @param timeout SMTP_TIMEOUT_SECONDS: connecting, and each read and write, to the SMTP server
 * @param directory MAIL_DIR: where .eml files go without SMTP_URL
 * @param retryBase MAIL_RETRY_BASE_SECONDS: the first retry waits up to twice this
 * @param retryCap MAIL_RETRY_CAP_SECONDS: no wait between attempts is longer
 * @param maxAttempts MAIL_MAX_ATTEMPTS: after this many failed attempts a message is dead
 * @param concurrency MAIL_CONCURRENCY: messages in flight per api process
 * @param pollInterval MAIL_POLL_INTERVAL_MS: how often an idle worker looks for due messages
 * @param workerEnabled MAIL_WORKER_ENABLED: false for an api process that sends no mail
 * @param digestHour MAIL_DIGEST_HOUR: the UTC hour of the daily commission digest
 */
public record MailConfig(
        Optional<SmtpUrl> smtp,
        InternetAddress from,
        boolean startTls,
        Duration timeout,
        Path directory,
        Duration retryBase,
        Duration retryCap,
        int maxAttempts,
        int concurrency,
        Duration pollInterval,
        boolean workerEnabled,
        int digestHour) {
    public static final String DEFAULT_FROM = "clickledger <mail@localhost>";

    public static final Setting SMTP_URL = Setting.optional(
                    "SMTP_URL",
                    "`smtp://user:pass@host:587` (STARTTLS, see `SMTP_STARTTLS`) or `smtps://user:pass@host:465`;"
                            + " user and password percent-encoded. Unset, every message is written as an `.eml` file"
                            + " under `MAIL_DIR` and its subject and links are logged")
            .shownAs("none (mail goes to `MAIL_DIR`)")
            .asSecret();
    public static final Setting SMTP_FROM = Setting.computed(
            "SMTP_FROM",
            "the SMTP user when it is an address, else `clickledger <no-reply@SMTP host>`; without `SMTP_URL`," + " `"
                    + DEFAULT_FROM + "`",
            "the sender of every message, `Name <address>` or an address");
    public static final Setting SMTP_STARTTLS = Setting.withDefault(
            "SMTP_STARTTLS",
            "true",
            "with `smtp://`, refuse to send unless the server upgrades the connection to TLS; `false` for a relay"
                    + " on a trusted network that offers no TLS");
    public static final Setting SMTP_TIMEOUT_SECONDS = Setting.withDefault(
            "SMTP_TIMEOUT_SECONDS", "30", "connecting to the SMTP server, and each read and write (1–300)");
    public static final Setting MAIL_DIR = Setting.withDefault(
            "MAIL_DIR", ".data/mail", "where messages are written as `.eml` files when `SMTP_URL` is unset");
    public static final Setting MAIL_RETRY_BASE_SECONDS = Setting.withDefault(
            "MAIL_RETRY_BASE_SECONDS",
            "30",
            "after the n-th failed attempt a message waits a random time up to `min(cap, base·2^n)` (1–86400)");
    public static final Setting MAIL_RETRY_CAP_SECONDS = Setting.withDefault(
                    "MAIL_RETRY_CAP_SECONDS", "3600", "longest wait between two attempts at a message (1–86400)")
            .shownAs("`3600` (1 h)");
    public static final Setting MAIL_MAX_ATTEMPTS = Setting.withDefault(
            "MAIL_MAX_ATTEMPTS",
            "25",
            "attempts before a message is `dead` (with the defaults, up to ~19 hours of retries; 1–100)");
    public static final Setting MAIL_CONCURRENCY =
            Setting.withDefault("MAIL_CONCURRENCY", "4", "messages being sent at once per api process");
    public static final Setting MAIL_POLL_INTERVAL_MS = Setting.withDefault(
            "MAIL_POLL_INTERVAL_MS", "1000", "how often an idle mail worker looks for due messages");
    public static final Setting MAIL_WORKER_ENABLED = Setting.withDefault(
            "MAIL_WORKER_ENABLED", "true", "`false` for an api process that queues mail but sends none");
    public static final Setting MAIL_DIGEST_HOUR = Setting.withDefault(
            "MAIL_DIGEST_HOUR",
            "8",
            "the hour (UTC, 0–23) of the daily mail to each partner whose commissions were approved since the last");

    public static final List<Setting> SETTINGS = List.of(
            SMTP_URL,
            SMTP_FROM,
            SMTP_STARTTLS,
            SMTP_TIMEOUT_SECONDS,
            MAIL_DIR,
            MAIL_RETRY_BASE_SECONDS,
            MAIL_RETRY_CAP_SECONDS,
            MAIL_MAX_ATTEMPTS,
            MAIL_CONCURRENCY,
            MAIL_POLL_INTERVAL_MS,
            MAIL_WORKER_ENABLED,
            MAIL_DIGEST_HOUR);

    public MailConfig {
        requireNonNull(smtp, "smtp is null");
        requireNonNull(from, "from is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(retryBase, "retryBase is null");
        requireNonNull(retryCap, "retryCap is null");
        requireNonNull(pollInterval, "pollInterval is null");
    }

    /** Reads every mail setting; problems are collected in {@code env} like the others'. */
    public static MailConfig fromEnv(EnvReader env) {
        Optional<Secret> url = env.secret(SMTP_URL);
        Optional<SmtpUrl> smtp = Optional.empty();
        if (url.isPresent()) {
            try {
                smtp = Optional.of(SmtpUrl.parse(url.get().reveal()));
            } catch (IllegalArgumentException e) {
                // The message never repeats the URL: it may carry a password.
                env.problem("SMTP_URL " + e.getMessage());
            }
        }
        InternetAddress from = address(env.optional(SMTP_FROM).orElse(defaultFrom(smtp)), env);
        boolean startTls = env.bool(SMTP_STARTTLS);
        int timeoutSeconds = env.integer(SMTP_TIMEOUT_SECONDS, 1, 300);
        Path directory = Path.of(env.string(MAIL_DIR));
        int base = env.integer(MAIL_RETRY_BASE_SECONDS, 1, 86_400);
        int cap = env.integer(MAIL_RETRY_CAP_SECONDS, 1, 86_400);
        if (cap < base) {
            env.problem("MAIL_RETRY_CAP_SECONDS (" + cap + ") is below MAIL_RETRY_BASE_SECONDS (" + base + ")");
        }
        int maxAttempts = env.integer(MAIL_MAX_ATTEMPTS, 1, 100);
        int concurrency = env.integer(MAIL_CONCURRENCY, 1, 64);
        int pollMillis = env.integer(MAIL_POLL_INTERVAL_MS, 10, 60_000);
        boolean workerEnabled = env.bool(MAIL_WORKER_ENABLED);
        int digestHour = env.integer(MAIL_DIGEST_HOUR, 0, 23);
        return new MailConfig(
                smtp,
                from,
                startTls,
                Duration.ofSeconds(timeoutSeconds),
                directory,
                Duration.ofSeconds(base),
                Duration.ofSeconds(Math.max(cap, base)),
                maxAttempts,
                concurrency,
                Duration.ofMillis(pollMillis),
                workerEnabled,
                digestHour);
    }

    // Providers refuse mail from an address the login does not own; the login itself usually is one.
    private static String defaultFrom(Optional<SmtpUrl> smtp) {
        if (smtp.isEmpty()) {
            return DEFAULT_FROM;
        }
        String user = smtp.get().user();
        if (user != null && user.contains("@")) {
            return user;
        }
        return "clickledger <no-reply@" + smtp.get().host() + ">";
    }

    private static InternetAddress address(String text, EnvReader env) {
        try {
            InternetAddress address = new InternetAddress(text, true);
            address.validate();
            return address;
        } catch (AddressException e) {
            env.problem("SMTP_FROM \"" + text + "\" is not an address such as `Acme Partners <partners@acme.example>`");
            try {
                return new InternetAddress(DEFAULT_FROM, true);
            } catch (AddressException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** Where mail goes, for logs and the settings page: the SMTP host or the directory, never a password. */
    public String destination() {
        return smtp.map(SmtpUrl::describe).orElse("files in " + directory.toAbsolutePath());
    }
}
