package com.sportswallet.notifier.streams;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.TopicSettings;
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
        TopicSettings topicSettings = TopicSettings.from(key -> ConfigProvider.getConfig().getOptionalValue(key, String.class));
        return build(new NotifierSettings(bigWinThreshold, NotifierSettings.parseSince(wageringSince), dedupeAheadMax), TopicNames.DEFAULT,
                topicSettings);
    }

    /** The topics the topology reads and writes: production names by default; tests that share a broker use their own. */
    public record TopicNames(String walletEvents, String crmEvents, String bonusEvents) {
        public static final TopicNames DEFAULT = new TopicNames(Topics.WALLET_EVENTS, Topics.CRM_EVENTS, Topics.BONUS_EVENTS);
    }

    public static Topology build(NotifierSettings settings) {
        return build(settings, TopicNames.DEFAULT);
    }

    /** With {@link TopicSettings#defaults()}: one replica, as on the tests' single broker. */
    public static Topology build(NotifierSettings settings, TopicNames topics) {
        return build(settings, topics, TopicSettings.defaults());
    }

    /**
     * @param topicSettings its {@code min.insync.replicas} goes to every store's changelog topic; their
     *                      replication factor is Kafka Streams' own {@code replication.factor}, which
     *                      application.properties sets from the same TOPIC_REPLICATION_FACTOR
     */
    public static Topology build(NotifierSettings settings, TopicNames topics, TopicSettings topicSettings) {
        Topology t = new Topology();
        t.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.walletEvents());
        t.addProcessor(PROCESSOR, () -> new WalletEventProcessor(settings), SOURCE);
        for (StoreBuilder<?> store : stores(topicSettings)) {
            t.addStateStore(store, PROCESSOR);
        }
        t.addSink(CRM_SINK, topics.crmEvents(), new StringSerializer(), new StringSerializer(), PROCESSOR);
        t.addSink(BONUS_SINK, topics.bonusEvents(), new StringSerializer(), new StringSerializer(), PROCESSOR);
        return t;
    }

    /**
     * The processor's stores, each changelogged with {@code min.insync.replicas} from {@code topicSettings}:
     * a changelog is the only copy of a store's state outside one machine's disk, so it is replicated
     * like the pipeline's own topics. Kafka Streams creates the changelogs; only their configs are ours.
     */
    static List<StoreBuilder<?>> stores(TopicSettings topicSettings) {
        Map<String, String> changelog = topicSettings.replicationConfigs();
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_SEQ), Serdes.String(), SeqWindow.serde())
                        .withCachingEnabled().withLoggingEnabled(changelog),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_HOLES), Serdes.String(), Serdes.Long())
                        .withLoggingEnabled(changelog),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DEDUPE_IDS), Serdes.String(), Serdes.Long())
                        .withLoggingEnabled(changelog),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BETS), Serdes.String(), BetState.serde())
                        .withCachingEnabled().withLoggingEnabled(changelog),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PLAYERS), Serdes.String(), PlayerState.serde())
                        .withCachingEnabled().withLoggingEnabled(changelog));
    }
}
