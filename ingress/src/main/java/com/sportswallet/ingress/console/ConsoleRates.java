package com.sportswallet.ingress.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.sportswallet.ingress.service.ReadPool;

import io.quarkus.runtime.StartupEvent;

/**
 * The pipeline page's live rates (issue 17): makes/s and credits applied/s over the last
 * {@value #SAMPLES_MAX} x {@value #PERIOD_MS} ms, from the ledger (a make's debit is operation
 * {@code bet}, a credit's application {@code credit}), so they cover every ingress and worker, not
 * this process alone. Every {@value #PERIOD_MS} ms one read-only statement counts the entries after
 * the last id seen (at most {@value #ROWS_PER_SAMPLE_MAX} of them: past that the chart is capped, the
 * rest is counted in the next samples). An entry whose id was taken before the last sample but that
 * committed after it is not counted: the chart is a picture, the ledger is the truth.
 */
@Singleton
public class ConsoleRates {
    private static final Logger LOG = Logger.getLogger(ConsoleRates.class);
    static final long PERIOD_MS = 5_000;
    static final int SAMPLES_MAX = 60;
    static final int ROWS_PER_SAMPLE_MAX = 200_000;
    private static final String START_SQL = "SELECT coalesce(max(id), 0) FROM ledger_entry";
    private static final String SAMPLE_SQL = """
            SELECT coalesce(max(id), ?), count(*) FILTER (WHERE operation = 'bet'), count(*) FILTER (WHERE operation = 'credit')
            FROM (SELECT id, operation FROM ledger_entry WHERE id > ? ORDER BY id LIMIT ?) t""";

    /** One period: when it ended (ms since the epoch) and the rates in it. */
    public record Sample(long atMs, double makesPerSecond, double creditsPerSecond) {
    }

    @Inject
    ReadPool reads;

    private final List<Sample> samples = new ArrayList<>();
    private ScheduledExecutorService timer;
    private long lastId = -1;
    private long lastAtNanos;

    void start(@Observes StartupEvent start) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-rates");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sample, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    void sample() {
        try (Connection c = reads.connection()) {
            long now = System.nanoTime();
            if (lastId < 0) {
                try (PreparedStatement ps = c.prepareStatement(START_SQL); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastId = rs.getLong(1);
                    lastAtNanos = now;
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SAMPLE_SQL)) {
                ps.setLong(1, lastId);
                ps.setLong(2, lastId);
                ps.setInt(3, ROWS_PER_SAMPLE_MAX);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    double seconds = Math.max(0.001, (now - lastAtNanos) / 1e9);
                    add(new Sample(System.currentTimeMillis(), rs.getLong(2) / seconds, rs.getLong(3) / seconds));
                    lastId = rs.getLong(1);
                    lastAtNanos = now;
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("console rates: no sample this period: %s", e.toString());
        }
    }

    private synchronized void add(Sample s) {
        samples.add(s);
        if (samples.size() > SAMPLES_MAX) {
            samples.remove(0);
        }
    }

    /**
     * A small line chart of one rate as SVG: numbers only (computed here), so it is safe to embed as it is.
     * The y axis runs from 0 to the largest value shown (at least 1).
     */
    public static String svg(List<Double> values, String label) {
        int width = 600;
        int height = 120;
        double max = Math.max(1, values.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            double x = values.size() == 1 ? width : (double) i * width / (SAMPLES_MAX - 1);
            double y = height - values.get(i) / max * (height - 10);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        double last = values.isEmpty() ? 0 : values.get(values.size() - 1);
        return String.format(Locale.ROOT, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">"
                + "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\"%s\"/>"
                + "<text x=\"4\" y=\"14\">%s: %.1f/s (max %.1f/s)</text></svg>",
                width, height, width, height, label, points.toString().trim(), label, last, max);
    }
}
