package clickledger.router;

import clickledger.common.config.ConfigException;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("clickledger.service", "router");
        RouterConfig config;
        try {
            config = RouterConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        PrometheusMeterRegistry registry = Metrics.newRegistry("router");
        // The pool only: the router starts (from its link snapshot) while PostgreSQL is down.
        Database database = Database.connect("router", config.database(), registry, config.poolLimits());
        RouterApp app;
        try {
            app = RouterApp.create(config, database, Clock.systemUTC(), registry);
        } catch (java.io.IOException e) {
            database.close();
            System.err.println("Invalid configuration: CLICK_SPOOL_DIR \"" + config.spoolDirectory()
                    + "\" cannot be used: " + e.getMessage());
            System.exit(2);
            return;
        }
        app.start();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                app.close();
                            } catch (Exception e) {
                                log.atWarn().addKeyValue("error", e.toString()).log("router did not stop cleanly");
                            }
                            database.close();
                        },
                        "shutdown"));
        log.atInfo().addKeyValue("port", app.port()).log("router started");
    }
}
