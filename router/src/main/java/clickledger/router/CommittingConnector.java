package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.router.click.ClickWriter;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The router's connector: each selector thread commits the clicks of the requests it read, and
 * answers them, before it selects again (a {@link ClickWriter.Lane} per selector, decision 0038).
 * Jetty's selector loop reads every ready connection, then selects; the commit goes in between,
 * so one batch holds all that one pass read, and no click waits for another thread.
 */
final class CommittingConnector extends ServerConnector {
    private final ClickWriter writer;

    CommittingConnector(Server server, int selectors, ClickWriter writer, ConnectionFactory... factories) {
        super(server, -1, selectors, factories);
        this.writer = requireNonNull(writer, "writer is null");
    }

    // Called from ServerConnector's constructor; the selectors themselves are made at start, by
    // then the writer is set.
    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new ServerConnectorManager(executor, scheduler, selectors) {
            @Override
            protected ManagedSelector newSelector(int id) {
                return new CommittingSelector(this, id, writer);
            }
        };
    }

    private static final class CommittingSelector extends ManagedSelector {
        private final ClickWriter.Lane lane;

        CommittingSelector(SelectorManager manager, int id, ClickWriter writer) {
            super(manager, id);
            this.lane = writer.newLane(this::wakeup);
        }

        private void wakeup() {
            Selector selector = getSelector();
            if (selector != null) {
                selector.wakeup();
            }
        }

        @Override
        protected int select(Selector selector) throws IOException {
            // Answering resumed connections, whose next requests offered clicks: select without
            // blocking, so this pass's reads are committed in the next.
            if (lane.commit()) {
                selector.wakeup();
            }
            return super.select(selector);
        }
    }
}
