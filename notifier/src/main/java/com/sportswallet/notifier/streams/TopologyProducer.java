package com.sportswallet.notifier.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;

import com.sportswallet.contracts.Topics;

/**
 * The notifier's topology over {@code wallet.events}. Today: the number of events seen per
 * player, queryable from the {@link #EVENTS_PER_PLAYER_STORE} store. The CRM and bonus feeds and
 * the deduplicated activity aggregates come with issue 5.
 */
@ApplicationScoped
public class TopologyProducer {
    public static final String EVENTS_PER_PLAYER_STORE = "events-per-player";

    @Produces
    public Topology buildTopology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.WALLET_EVENTS, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.as(EVENTS_PER_PLAYER_STORE));
        return builder.build();
    }
}
