package com.sportswallet.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Latencies in HdrHistogram, microseconds, 3 significant digits; read back in milliseconds. */
final class Latency {
    /** Latencies recorded up to this, microseconds (longer ones are clamped to it). */
    static final long MAX_MICROS = 600_000_000L;
    private static final int DIGITS = 3;

    private Latency() {
    }

    /** Thread-safe, wait-free recording. */
    static Recorder recorder() {
        return new Recorder(1, MAX_MICROS, DIGITS);
    }

    static Histogram histogram() {
        return new Histogram(1, MAX_MICROS, DIGITS);
    }

    static void record(Recorder recorder, long nanos) {
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    /** The value at {@code percentile}, ms (0 when empty). */
    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMs(Histogram h) {
        return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
    }
}
