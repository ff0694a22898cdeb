package clickledger.portal;

import java.nio.charset.StandardCharsets;

/** The placeholder home page, rendered once at start: it only depends on the configuration. */
final class HomePage {
    private HomePage() {}

    static String render(PortalConfig config) {
        return new String(PortalApp.resource("home.html"), StandardCharsets.UTF_8)
                .replace("{{apiUrl}}", escape(config.publicApiUrl().toString()))
                .replace("{{apiHealthUrl}}", escape(config.publicApiUrl() + "/healthz"))
                .replace("{{routerUrl}}", escape(config.publicRouterUrl().toString()))
                .replace("{{exampleLinkUrl}}", escape(config.publicRouterUrl() + "/r/ada"));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
