package clickledger.router.redirect;

/** UTM tags of a click: from the inbound query first, else from the destination's own query. */
record Utm(String source, String medium, String campaign, String term, String content) {
    private static final Utm NONE = new Utm(null, null, null, null, null);

    static Utm of(String inboundQuery, Destination destination) {
        String source = null;
        String medium = null;
        String campaign = null;
        String term = null;
        String content = null;
        if (inboundQuery != null && inboundQuery.contains("utm_")) {
            for (String param : inboundQuery.split("&")) {
                if (!param.startsWith("utm_")) {
                    continue;
                }
                int equals = param.indexOf('=');
                String name = equals < 0 ? param : param.substring(0, equals);
                String value = equals < 0 ? "" : QueryText.decode(param.substring(equals + 1));
                switch (name) {
                    case "utm_source" -> source = source == null ? value : source;
                    case "utm_medium" -> medium = medium == null ? value : medium;
                    case "utm_campaign" -> campaign = campaign == null ? value : campaign;
                    case "utm_term" -> term = term == null ? value : term;
                    case "utm_content" -> content = content == null ? value : content;
                    default -> {}
                }
            }
        }
        Utm inbound = new Utm(source, medium, campaign, term, content);
        if (inbound.equals(NONE) && !destination.hasUtm()) {
            return NONE;
        }
        return new Utm(
                source != null ? source : destination.parameter("utm_source"),
                medium != null ? medium : destination.parameter("utm_medium"),
                campaign != null ? campaign : destination.parameter("utm_campaign"),
                term != null ? term : destination.parameter("utm_term"),
                content != null ? content : destination.parameter("utm_content"));
    }
}
