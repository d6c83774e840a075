package io.docshift.error;

import io.vertx.core.http.HttpClosedException;

import java.nio.channels.ClosedChannelException;

/**
 * Recognises a client that went away mid-request (closed or reset its connection while its body was still
 * arriving): the client's doing, not a server failure, so never an ERROR line nor a 5xx in the metrics.
 */
public final class ClientAborts {

    private ClientAborts() {
    }

    /** Whether {@code failure} (or its cause) is the connection closing under the request. */
    public static boolean isClientAbort(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpClosedException || t instanceof ClosedChannelException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Connection was closed") || message.contains("Connection reset"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
