package com.sportswallet.notifier.streams;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What a stream thread that died of an exception turns into. Kafka Streams' own default shuts the
 * whole client down: after a broker restart or a timed-out transaction the notifier would then stay
 * down, its readiness failing and its lag growing, until someone restarted the process. Replacing
 * the thread is safe here because the topology is exactly-once (the dead thread's open transaction
 * is aborted and its tasks resume from their last committed offsets) and because the records
 * themselves cannot kill a thread: malformed events are counted and skipped inside
 * {@link WalletEventProcessor}, not thrown. The Quarkus extension hands this bean to
 * {@code KafkaStreams.setUncaughtExceptionHandler} before the streams start.
 */
@ApplicationScoped
public class StreamThreadRecovery implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StreamThreadRecovery.class);

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.errorf(exception, "stream thread failed; replacing it (its tasks resume from their last committed offsets)");
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
