package clickledger.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The production log format, read back as JSON: logback.xml with LOG_FORMAT=json, as every
 * service runs by default. Logback and logstash-logback-encoder are upgraded independently; this
 * is what would go red if a pair of them stopped producing one JSON object per line with the
 * service, the request id and the key-value fields.
 */
class JsonLogTest {
    @AfterEach
    void restoreTheTestFormat() throws JoranException {
        System.clearProperty("LOG_FORMAT");
        System.clearProperty("clickledger.service");
        configure();
    }

    @Test
    void jsonLineCarriesServiceRequestIdAndFields() throws Exception {
        System.setProperty("LOG_FORMAT", "json");
        System.setProperty("clickledger.service", "json-log-test");
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            // ConsoleAppender takes System.out when it starts, so swap it in before configuring.
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            configure();
            MDC.put(RequestIds.MDC_KEY, "0123456789abcdef");
            LoggerFactory.getLogger(JsonLogTest.class)
                    .atWarn()
                    .addKeyValue("slug", "ada")
                    .log("unknown link");
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
            System.setOut(console);
        }

        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertThat(line.get("message").asText()).isEqualTo("unknown link");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("service").asText()).isEqualTo("json-log-test");
        assertThat(line.get("requestId").asText()).isEqualTo("0123456789abcdef");
        assertThat(line.get("slug").asText()).isEqualTo("ada");
        assertThat(line.get("@timestamp").asText()).isNotBlank();
    }

    private static void configure() throws JoranException {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        URL config = JsonLogTest.class.getResource("/logback.xml");
        assertThat(config).as("logback.xml on the classpath").isNotNull();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
    }
}
