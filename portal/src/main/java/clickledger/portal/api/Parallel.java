package clickledger.portal.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Api calls side by side on virtual threads: a page that needs five answers waits for the slowest,
 * not for the sum (the dashboard's budget is 150 ms at p95). The first failure is rethrown as it
 * was, so an {@link ApiProblem} reaches the page's handler unchanged.
 */
public final class Parallel {
    private Parallel() {}

    public static <T, R> List<R> map(List<T> inputs, Function<T, R> call) {
        if (inputs.size() <= 1) {
            return inputs.stream().map(call).toList();
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> futures = new ArrayList<>(inputs.size());
            for (T input : inputs) {
                futures.add(executor.submit(() -> call.apply(input)));
            }
            List<R> results = new ArrayList<>(inputs.size());
            for (Future<R> future : futures) {
                results.add(join(future));
            }
            return results;
        }
    }

    /** Two calls at once. */
    public static <A, B> Pair<A, B> both(Supplier<A> first, Supplier<B> second) {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<A> a = executor.submit(first::get);
            Future<B> b = executor.submit(second::get);
            return new Pair<>(join(a), join(b));
        }
    }

    public record Pair<A, B>(A first, B second) {}

    /** Three calls at once. */
    public static <A, B, C> Trio<A, B, C> all(Supplier<A> first, Supplier<B> second, Supplier<C> third) {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<A> a = executor.submit(first::get);
            Future<B> b = executor.submit(second::get);
            Future<C> c = executor.submit(third::get);
            return new Trio<>(join(a), join(b), join(c));
        }
    }

    public record Trio<A, B, C>(A first, B second, C third) {}

    static <R> R join(Future<R> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unreachable("interrupted while waiting for the api");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
