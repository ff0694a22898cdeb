package clickledger.api.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A program's logo in a letter: an escaped img in the HTML part only, and none without one. */
class LetterTest {
    @Test
    void aLogoIsAnEscapedImgInTheHtmlPartOnly() {
        Rendered message = new Letter("Acme \"<b>\"", "Ada")
                .logo("https://portal.example/brand/programs/01J/logo?v=abc&x=\"y\"", "Acme \"<b>\"")
                .line("Hello there.")
                .render(MailKind.PROGRAM_ADDED, "Subject");

        assertThat(message.html())
                .contains("<img src=\"https://portal.example/brand/programs/01J/logo?v=abc&amp;x=&quot;y&quot;\""
                        + " alt=\"Acme &quot;&lt;b&gt;&quot;\"")
                .doesNotContain("<b>");
        assertThat(message.text()).doesNotContain("logo").doesNotContain("brand/programs");
    }

    @Test
    void noLogoNoImg() {
        Rendered message = new Letter("Acme", "Ada").line("Hello there.").render(MailKind.PROGRAM_ADDED, "Subject");

        assertThat(message.html()).doesNotContain("<img");
    }
}
