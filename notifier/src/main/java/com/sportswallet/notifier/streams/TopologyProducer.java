package com.sportswallet.notifier.streams;

import java.time.Duration;

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
 * ({@link WalletEventProcessor}) → {@code crm.events} and {@code bonus.events}. Three changelogged
 * state stores ({@link StoreNames}): the recent event ids (a window store: bounded by its
 * retention), the bets (settled ones purged after {@code notifier.bet-retention}) and the players'
 * aggregates (queried over REST). No repartition: the input key is already the player id. The
 * key/value stores are cached (statestore.cache.max.bytes): a player's or bet's several updates
 * within a commit interval reach RocksDB and the changelog once, at the commit. The dedupe store
 * is not: every id is new, a cache would only add work.
 */
@ApplicationScoped
public class TopologyProducer {
    static final String SOURCE = "wallet-events";
    static final String PROCESSOR = "notifier";
    static final String CRM_SINK = "crm-events";
    static final String BONUS_SINK = "bonus-events";
    /** Window size of the dedupe store: an id is stored at its record timestamp (1 ms "windows"). */
    private static final Duration DEDUPE_WINDOW = Duration.ofMillis(1);

    @ConfigProperty(name = "notifier.big-win-threshold")
    long bigWinThreshold;
    @ConfigProperty(name = "notifier.wagering-since")
    String wageringSince;
    @ConfigProperty(name = "notifier.dedupe-retention")
    Duration dedupeRetention;
    @ConfigProperty(name = "notifier.bet-retention")
    Duration betRetention;
    @ConfigProperty(name = "notifier.bet-purge-interval")
    Duration betPurgeInterval;

    @Produces
    public Topology buildTopology() {
        return build(new NotifierSettings(bigWinThreshold, NotifierSettings.parseSince(wageringSince), dedupeRetention,
                betRetention, betPurgeInterval));
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
        t.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DEDUPE, settings.dedupeRetention(), DEDUPE_WINDOW, false),
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
