package clickledger.portal.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * The JTE templates, compiled to classes at build time (jte-maven-plugin, goal precompile) and
 * loaded from the jar: nothing is compiled at run time, so the portal needs no JDK compiler and a
 * template error fails the build, not a page. A template's name is its path under
 * {@code src/main/java/clickledger/portal/}, next to the routes that render it.
 */
public final class Templates {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    public String render(String name, Object page) {
        StringOutput output = new StringOutput(16 * 1024);
        engine.render(name, page, output);
        return output.toString();
    }
}
