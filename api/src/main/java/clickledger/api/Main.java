package clickledger.api;

import clickledger.api.transfer.TransferCli;
import clickledger.common.config.ConfigException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the api: {@code java -jar api/target/api.jar}, configured by the environment. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (TransferCli.handles(args)) {
            // `java -jar api.jar export|import …`: the CLI behind make export / make import.
            System.setProperty("clickledger.service", "cli");
            System.exit(TransferCli.run(args, System.getenv(), System.out, System.err));
            return;
        }
        // Read by logback.xml as the "service" field; it must be set before the first logger exists,
        // which is why this class has no static Logger.
        System.setProperty("clickledger.service", ApiApp.SERVICE);
        ApiConfig config;
        try {
            config = ApiConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            // An operator mistake, not a bug: the message names every problem; a stack trace would bury it.
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        ApiApp app;
        try {
            app = ApiApp.create(config, Clock.systemUTC()).start();
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("api failed to start");
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "api-shutdown"));
        log.atInfo()
                .addKeyValue("port", app.port())
                .addKeyValue("publicApiUrl", config.publicApiUrl())
                .addKeyValue("publicRouterUrl", config.publicRouterUrl())
                .log("api started");
    }
}
