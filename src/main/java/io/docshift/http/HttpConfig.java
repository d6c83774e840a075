package io.docshift.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of the HTTP layer that Quarkus's own (quarkus.http.*) do not cover. */
@ConfigMapping(prefix = "docshift.http")
public interface HttpConfig {

    /**
     * The longest a request body may take to arrive, from its headers to its last byte; a body still arriving
     * then is answered 408 and its connection closed, so a client trickling a body cannot hold it for ever.
     */
    @WithDefault("30s")
    Duration bodyTimeout();

    /** The largest request body accepted (a batch of documents); a larger one is refused 413 before it is read. */
    @WithDefault("64M")
    MemorySize maxBodySize();
}
