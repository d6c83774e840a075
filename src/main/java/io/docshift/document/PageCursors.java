package io.docshift.document;

import io.docshift.document.store.CursorSigner;
import io.docshift.document.store.DocumentId;
import io.docshift.error.InvalidRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.ByteBuffer;

/**
 * Cursors of table pages. A cursor names its table and direction and the last id returned (none for a
 * cursor at the start); it stays valid while documents are inserted or deleted because the next page is
 * simply "ids after this one".
 */
@ApplicationScoped
public class PageCursors {

    private static final byte KIND = 'p';

    @Inject
    CursorSigner signer;

    public String encode(int tableNumber, boolean ascending, DocumentId last) {
        ByteBuffer b = ByteBuffer.allocate(last == null ? 4 : 20)
                .put(KIND).put((byte) (ascending ? 'a' : 'd')).putShort((short) tableNumber);
        if (last != null) {
            b.putLong(last.high()).putLong(last.low());
        }
        return signer.sign(b.array());
    }

    /** The position a cursor points after, or {@code null} for the start; a 400 if it belongs elsewhere. */
    public DocumentId decode(String cursor, int tableNumber, boolean ascending) {
        ByteBuffer b = ByteBuffer.wrap(signer.verify(cursor, "cursor"));
        if (b.remaining() != 4 && b.remaining() != 20 || b.get() != KIND) {
            throw InvalidRequest.at("cursor", "not a cursor of a table page");
        }
        boolean cursorAscending = b.get() == 'a';
        if ((b.getShort() & 0xFFFF) != tableNumber) {
            throw InvalidRequest.at("cursor", "this cursor belongs to another table");
        }
        if (cursorAscending != ascending) {
            throw InvalidRequest.at("order", "this cursor was made for order=" + (cursorAscending ? "asc" : "desc"));
        }
        return b.remaining() == 16 ? new DocumentId(b.getLong(), b.getLong()) : null;
    }
}
