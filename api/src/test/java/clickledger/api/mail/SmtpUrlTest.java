package clickledger.api.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.ApiConfig;
import clickledger.common.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmtpUrlTest {
    private static final Map<String, String> REQUIRED = Map.of(
            "DATABASE_URL", "postgres://clickledger:pw@db.internal:5432/clickledger",
            "ADMIN_API_KEY", "an-admin-key-of-enough-length-123",
            "SECRETS_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    @Test
    void smtpUrlsGiveTlsModeHostPortAndALoginDecoded() {
        SmtpUrl submission = SmtpUrl.parse("smtp://partners%40acme.example:p%3Ass%2Bw@mail.acme.example:2525");
        assertThat(submission.tls()).isFalse();
        assertThat(submission.host()).isEqualTo("mail.acme.example");
        assertThat(submission.port()).isEqualTo(2525);
        assertThat(submission.user()).isEqualTo("partners@acme.example");
        assertThat(submission.password()).isEqualTo("p:ss+w");

        assertThat(SmtpUrl.parse("smtp://relay.internal").port()).isEqualTo(587);
        assertThat(SmtpUrl.parse("smtp://relay.internal").user()).isNull();
        SmtpUrl smtps = SmtpUrl.parse("SMTPS://u:pw@mail.example.com");
        assertThat(smtps.tls()).isTrue();
        assertThat(smtps.port()).isEqualTo(465);
    }

    @Test
    void thePasswordIsNeverShown() {
        SmtpUrl url = SmtpUrl.parse("smtps://user:hunter2-secret@mail.example.com:465");
        assertThat(url.toString()).doesNotContain("hunter2").contains("mail.example.com");
        assertThat(url.describe()).doesNotContain("hunter2");

        Map<String, String> env = new HashMap<>(REQUIRED);
        env.put("SMTP_URL", "ftp://user:hunter2-secret@mail.example.com");
        env.put("SMTP_FROM", "not an address at all");
        assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SMTP_URL must start with smtp:// or smtps://")
                .hasMessageContaining("SMTP_FROM \"not an address at all\" is not an address")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void withoutSmtpFromTheSenderIsTheLoginOrNoReplyAtTheHost() {
        Map<String, String> env = new HashMap<>(REQUIRED);
        env.put("SMTP_URL", "smtp://partners%40acme.example:pw@mail.acme.example");
        assertThat(ApiConfig.fromEnv(env).mail().from().getAddress()).isEqualTo("partners@acme.example");
        env.put("SMTP_URL", "smtp://apikey:pw@smtp.provider.example");
        assertThat(ApiConfig.fromEnv(env).mail().from().getAddress()).isEqualTo("no-reply@smtp.provider.example");
        env.remove("SMTP_URL");
        assertThat(ApiConfig.fromEnv(env).mail().smtp()).isEmpty();
        assertThat(ApiConfig.fromEnv(env).mail().destination())
                .startsWith("files in ")
                .endsWith("mail");
    }

    @Test
    void lettersEscapeWhatPeopleTypedInTheirHtml() {
        Rendered rendered = new Letter("Acme <b>", "Ada \"<script>\"")
                .line("Website: https://x.example/?a=1&b=<2>")
                .action("Open", "https://portal.example/apply/acme")
                .render(MailKind.PROGRAM_ADDED, "Subject");
        assertThat(rendered.html())
                .doesNotContain("<script>")
                .doesNotContain("<b>")
                .contains("&lt;script&gt;");
        assertThat(rendered.html()).contains("a=1&amp;b=&lt;2&gt;");
        assertThat(rendered.text())
                .contains("Hello Ada \"<script>\",")
                .contains("Open:\nhttps://portal.example/apply/acme");
        assertThat(rendered.links()).containsExactly("https://portal.example/apply/acme");
    }
}
