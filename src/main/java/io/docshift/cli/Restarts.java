package io.docshift.cli;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Waits out a restart of the service for the commands that follow something ({@code dev}, {@code --watch}): a
 * rolling update or a crashed pod is over in seconds, and the run or transition being followed goes on without
 * the CLI. While nothing answers (or the service answers 503), the request is tried again with a growing pause,
 * a notice saying so; after {@link #GIVE_UP} of one outage the command gives up with exit 4 as any other does.
 */
final class Restarts {

    private static final long FIRST_PAUSE_MILLIS = 100;
    /** Tries at least this often, so that following resumes within moments of the service's return. */
    private static final long MAX_PAUSE_MILLIS = 2_000;
    /** Longer than a pod takes to restart and pass its readiness check; a service gone for good ends the wait. */
    static final Duration GIVE_UP = Duration.ofMinutes(5);

    private final Consumer<String> notice;

    Restarts(Consumer<String> notice) {
        this.notice = notice;
    }

    /** Sends a request that may be sent again at will (a GET), until the service answers it. */
    <T> T call(Supplier<T> request) throws InterruptedException {
        return call(request, false);
    }

    /**
     * Sends a request that must not take effect twice (starting a run): it is sent again only while it surely
     * did nothing (connection refused, 503); a connection lost mid-request still fails.
     */
    <T> T callOnce(Supplier<T> request) throws InterruptedException {
        return call(request, true);
    }

    /** Waits until the service answers at all, after {@code outage} showed it did not. */
    void await(Api api, Api.Unreachable outage) throws InterruptedException {
        long start = begin(outage);
        call(() -> probe(api), false, start);
    }

    private <T> T call(Supplier<T> request, boolean onlyUnsent) throws InterruptedException {
        return call(request, onlyUnsent, 0);
    }

    private <T> T call(Supplier<T> request, boolean onlyUnsent, long outageStart) throws InterruptedException {
        long start = outageStart;
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try {
                T answer = request.get();
                if (start != 0) {
                    notice.accept("service is back after " + Term.duration(Duration.ofNanos(System.nanoTime() - start)) + "; carrying on.");
                }
                return answer;
            } catch (Api.Unreachable e) {
                if (onlyUnsent && !e.unsent) {
                    throw e;
                }
                if (start == 0) {
                    start = begin(e);
                } else if (System.nanoTime() - start > GIVE_UP.toNanos()) {
                    throw new Api.Unreachable("the service has been unavailable for " + Term.duration(GIVE_UP) + " (" + e.why + "); giving up: "
                            + e.getMessage(), e.why, e.unsent);
                }
                Thread.sleep(pause);
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            }
        }
    }

    private long begin(Api.Unreachable e) {
        notice.accept("service unavailable (" + e.why + "); waiting for it to come back…");
        return System.nanoTime();
    }

    /** Any answer but an outage: a 404 for a service without a schema yet is an answer too. */
    private static Object probe(Api api) {
        try {
            return api.get("/api/schema");
        } catch (Api.Refused e) {
            return e.problem;
        }
    }
}
