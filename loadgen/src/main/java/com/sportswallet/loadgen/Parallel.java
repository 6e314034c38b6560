package com.sportswallet.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs an indexed task over 0..count-1 on a few threads, in chunks (untimed work: setup, pre-signing). */
final class Parallel {
    /** Indices handed out at once; 1 suits slow tasks (an HTTP call), more suits fast ones (a signature). */
    private static final int CHUNK_MAX = 256;

    private Parallel() {
    }

    interface IndexTask {
        void run(int index) throws Exception;
    }

    /** Runs {@code task} for every index on {@code threads} threads; rethrows the first failure's cause. */
    static void forEach(int count, int threads, IndexTask task) throws Exception {
        int chunk = Math.max(1, Math.min(CHUNK_MAX, count / Math.max(1, threads * 8)));
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int from; (from = next.getAndAdd(chunk)) < count;) {
                        for (int i = from; i < Math.min(count, from + chunk); i++) {
                            task.run(i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread per core: pre-signing is CPU-bound. */
    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }
}
