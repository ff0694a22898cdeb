package clickledger.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/**
 * Entry point of the bench tools that {@code bench/run.sh} and {@code bench/drills.sh} call; each
 * prints one JSON object on stdout.
 *
 * <pre>
 *   load        --port P --paths /r/a[,/r/b] [--path-count N] --connections C --duration 10s
 *               [--threads T] [--timeout 10s] [--crefs FILE]
 *   verify      --crefs FILE --database-url URL [--wait 60s]
 *   ceiling     --database-url URL --method unnest|copy --connections N --batch 500 --duration 5s
 *   seed-links  --database-url URL --prefix bench- --count N
 *   seed-attribution --database-url URL --out-dir DIR [--clicks 10000000 --users 100000
 *               --max-touches 5 --replay-users 200000 --replay-events 1000000 --identify-crefs 200000]
 *   sdk         --mode events|identify --api-url URL --key K --clients 100 --duration 10s
 *               [--users N | --crefs FILE]
 *   replay      --api-url URL --key K --file replay-events.tsv [--batch 500 (0: one by one) --clients 4]
 *   rederive-check --api-url URL --admin-key K --program-id ID
 *   report      [--results bench/results] [--out docs/PERFORMANCE.md]
 *   agents      [--rounds 5] [--agents 20000] [--geoip FILE.mmdb]   (decision 0022)
 *   capture-traffic --out FILE [--agents 3000] [--addresses 50000] [--requests 100000]
 *               [--zipf 1.0] [--seed 19]   (scenario 12-capture, decision 0022)
 * </pre>
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(
                    "usage: bench load|verify|ceiling|seed-links|seed-attribution|sdk|replay|rederive-check|report|agents|capture-traffic"
                            + " [--name value]...");
            System.exit(2);
        }
        Args options = new Args(args, 1);
        Map<String, Object> result =
                switch (args[0]) {
                    case "load" -> LoadClient.run(options);
                    case "verify" -> Verify.run(options);
                    case "ceiling" -> WriteCeiling.run(options);
                    case "seed-links" -> Seed.links(options);
                    case "seed-attribution" -> AttributionSeed.run(options);
                    case "sdk" -> EventLoad.run(options);
                    case "replay" -> Replay.run(options);
                    case "rederive-check" -> Replay.check(options);
                    case "agents" -> AgentCost.run(options);
                    case "capture-traffic" -> CaptureTraffic.run(options);
                    case "report" -> {
                        Report.write(options);
                        yield Map.of("written", options.string("out", "docs/PERFORMANCE.md"));
                    }
                    default -> throw new IllegalArgumentException("unknown command " + args[0]);
                };
        System.out.println(
                new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
    }
}
