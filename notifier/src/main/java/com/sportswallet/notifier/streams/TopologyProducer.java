package com.sportswallet.notifier.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.Topics;

/**
 * The notifier's topology: {@code wallet.events} → one stateful processor
 * ({@link WalletEventProcessor}) → {@code crm.events} and {@code bonus.events}. Five changelogged
 * key/value stores ({@link StoreNames}), none expired by time: the dedupe watermarks, holes and
 * ids ({@link Dedupe}), the bets of events written before bet events carried their stake, and the
 * players' aggregates (queried over REST). No repartition: the input key is already the player
 * id. The watermark, bets and players stores are cached (statestore.cache.max.bytes): a player's
 * several updates within a commit interval reach RocksDB and the changelog once, at the commit.
 * Holes and ids are not: each key is written once, a cache would only add work.
 */
@ApplicationScoped
public class TopologyProducer {
    static final String SOURCE = "wallet-events";
    static final String PROCESSOR = "notifier";
    static final String CRM_SINK = "crm-events";
    static final String BONUS_SINK = "bonus-events";

    @ConfigProperty(name = "notifier.big-win-threshold")
    long bigWinThreshold;
    @ConfigProperty(name = "notifier.wagering-since")
    String wageringSince;
    @ConfigProperty(name = "notifier.dedupe-ahead-max")
    int dedupeAheadMax;

    @Produces
    public Topology buildTopology() {
        return build(new NotifierSettings(bigWinThreshold, NotifierSettings.parseSince(wageringSince), dedupeAheadMax));
    }

    /** The topics the topology reads and writes: production names by default; tests that share a broker use their own. */
    public record TopicNames(String walletEvents, String crmEvents, String bonusEvents) {
        public static final TopicNames DEFAULT = new TopicNames(Topics.WALLET_EVENTS, Topics.CRM_EVENTS, Topics.BONUS_EVENTS);
    }

    public static Topology build(NotifierSettings settings) {
        return build(settings, TopicNames.DEFAULT);
    }

    public static Topology build(NotifierSettings settings, TopicNames topics) {
        Topology t = new Topology();
        t.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.walletEvents());
        t.addProcessor(PROCESSOR, () -> new WalletEventProcessor(settings), SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_SEQ),
                Serdes.String(), SeqWindow.serde()).withCachingEnabled(), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_HOLES),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_IDS),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BETS),
                Serdes.String(), BetState.serde()).withCachingEnabled(), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PLAYERS),
                Serdes.String(), PlayerState.serde()).withCachingEnabled(), PROCESSOR);
        t.addSink(CRM_SINK, topics.crmEvents(), new StringSerializer(), new StringSerializer(), PROCESSOR);
        t.addSink(BONUS_SINK, topics.bonusEvents(), new StringSerializer(), new StringSerializer(), PROCESSOR);
        return t;
    }
}
