package io.docshift.document.store;

import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;

/**
 * Hands out ids that increase within this process even when the wall clock steps back, and that
 * collide across processes only with negligible probability (63 random bits per millisecond).
 */
@ApplicationScoped
public class DocumentIds {

    private final SecureRandom random = new SecureRandom();
    private long lastMillis;
    private long sequence;

    public synchronized DocumentId next(int tableNumber) {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            sequence = random.nextLong() >>> 1; // top bit clear: room to count up within the millisecond
        } else {
            sequence++;
        }
        return DocumentId.of(lastMillis, tableNumber, sequence);
    }

    /** A new id of table {@code tableNumber} with a given creation time (an imported document that keeps its time). */
    public DocumentId at(long creationTime, int tableNumber) {
        return DocumentId.of(creationTime, tableNumber, random.nextLong() >>> 1);
    }
}
