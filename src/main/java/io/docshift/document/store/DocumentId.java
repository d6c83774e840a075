package io.docshift.document.store;

import io.docshift.error.InvalidRequest;

import java.util.UUID;

/**
 * A document's {@code _id}: 128 bits laid out as 48 bits of creation time (ms since the epoch), 16 bits of
 * table number and 64 bits that are random per millisecond and then count up. Stored as a PostgreSQL
 * {@code uuid} (compared byte by byte, so the primary key walks in creation order); shown to clients as
 * 26 characters of lower-case Crockford base32, which sort the same way and are URL-safe.
 */
public record DocumentId(long high, long low) {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int[] VALUES = new int[128];
    public static final int TEXT_LENGTH = 26;

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    public static DocumentId of(long creationTime, int tableNumber, long sequence) {
        return new DocumentId((creationTime << 16) | (tableNumber & 0xFFFF), sequence);
    }

    public long creationTime() {
        return high >>> 16;
    }

    public int tableNumber() {
        return (int) (high & 0xFFFF);
    }

    public UUID toUuid() {
        return new UUID(high, low);
    }

    public static DocumentId fromUuid(UUID uuid) {
        return new DocumentId(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    /** Parses a client's id, refusing anything that is not 26 base32 characters (400, naming {@code path}). */
    public static DocumentId parse(String text, String path) {
        DocumentId id = tryParse(text);
        if (id == null) {
            throw InvalidRequest.at(path, "not a document id (26 characters of lower-case base32)");
        }
        return id;
    }

    /** Parses an id, or returns {@code null} when the text is not one. */
    public static DocumentId tryParse(String text) {
        if (text == null || text.length() != TEXT_LENGTH) {
            return null;
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < TEXT_LENGTH; i++) {
            char c = text.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0 || (i == 0 && v > 3)) {
                return null;
            }
            // shift the 128-bit (high, low) pair left by 5 and add v
            high = (high << 5) | (low >>> 59);
            low = (low << 5) | v;
        }
        return new DocumentId(high, low);
    }

    @Override
    public String toString() {
        char[] out = new char[TEXT_LENGTH];
        long high = this.high;
        long low = this.low;
        for (int i = TEXT_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low = (low >>> 5) | (high << 59);
            high >>>= 5;
        }
        return new String(out);
    }
}
