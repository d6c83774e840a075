package io.docshift.rehearsal;

import java.util.function.BooleanSupplier;

/** The rest after each batch of a rehearsal, which leaves the database to live traffic; and the stop of a pod in the middle. */
final class Pause {

    private Pause() {
    }

    /** Thrown when the pod stops in the middle: the rehearsal ends failed, its copy dropped. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("the pod is stopping; the rehearsal was cut short and its copy dropped", null, false, false);
        }
    }

    /** Rests {@code pause} times as long as the batch took, in naps of at most 100 ms; throws {@link Stopped} if the pod stops meanwhile. */
    static void after(long batchNanos, double pause, BooleanSupplier stopping) {
        long end = System.nanoTime() + (long) (batchNanos * pause);
        while (System.nanoTime() < end) {
            if (stopping.getAsBoolean()) {
                throw new Stopped();
            }
            try {
                Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
        if (stopping.getAsBoolean()) {
            throw new Stopped();
        }
    }
}
