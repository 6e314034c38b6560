package com.sportswallet.notifier.streams;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB store of the notifier, instead of Kafka Streams' defaults
 * per store (a 50 MB block cache and three 16 MB memtables each, for every store of each of the 12
 * partitions). Measured: the notifier's peak RSS reached 423 MB after scripts/bench with the
 * defaults, over DESIGN.md's 400 MB per service. Here every store's block cache, index and filter
 * blocks and memtables are charged to one shared LRU cache of {@link #TOTAL_OFF_HEAP_BYTES}
 * (memtables at most {@link #MEMTABLE_BYTES} of it), the bounded-memory configuration the Kafka
 * Streams documentation gives. Reads that miss the cache go to the OS page cache, which the stores'
 * small working set (per-player and per-bet state, a 7-day dedupe window) fits.
 * Registered by {@code kafka-streams.rocksdb.config.setter} in application.properties.
 */
public class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** Off-heap bytes for all the stores together: block cache, index and filter blocks, memtables. */
    static final long TOTAL_OFF_HEAP_BYTES = 48L * 1024 * 1024;
    /** Of which memtables (writes not yet flushed) may use at most this much. */
    static final long MEMTABLE_BYTES = 16L * 1024 * 1024;
    /** One memtable per store at most this big, and at most this many per store. */
    static final long MEMTABLE_BYTES_PER_STORE_MAX = 4L * 1024 * 1024;
    static final int MEMTABLES_PER_STORE_MAX = 2;

    static {
        // Kafka Streams loads this class while it parses its config, before any store has loaded
        // RocksDB's native library (Quarkus loads it at start; a plain KafkaStreams, as the tests' and
        // the throughput program's, does not): the cache below needs it. Idempotent.
        RocksDB.loadLibrary();
    }

    // Shared by every store of this process: the whole point is one budget, not one per store.
    // strictCapacityLimit false: a read that needs a block when the cache is full still succeeds.
    private static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(MEMTABLE_BYTES_PER_STORE_MAX);
        options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE_MAX);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by all stores and live as long as the
        // process: closing them here would pull them from under the other stores.
    }
}
