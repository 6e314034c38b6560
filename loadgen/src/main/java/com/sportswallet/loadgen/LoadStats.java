package com.sportswallet.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** LoadGen's counters and latencies, updated by every worker (thread-safe), read for progress and the report. */
final class LoadStats {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Endpoints in report order. */
    static final List<String> ENDPOINTS = List.of(FlowPlan.MAKE, FlowPlan.WIN, FlowPlan.LOST, FlowPlan.REFUND,
            FlowPlan.ROLLBACK, FlowPlan.DISCARD);
    static final String UNKNOWN = "unknown";

    final LongAdder flowsStarted = new LongAdder();
    final LongAdder flowsCompleted = new LongAdder();
    /** Flows that stopped early because a callback was refused or stayed unknown. */
    final LongAdder flowsStopped = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder retries = new LongAdder();
    /** Bodies sent as a re-signed copy: re-signed duplicates and re-signed retries. */
    final LongAdder resigned = new LongAdder();
    private final Map<String, Recorder> latency = new ConcurrentHashMap<>();
    /** "endpoint answer" -> count; answer "200", "400/2004", "404", "unknown". */
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    /** What caused each resend: "timeout", "io_error", "503", ... */
    private final Map<String, LongAdder> retryCauses = new ConcurrentHashMap<>();

    LoadStats() {
        for (String e : ENDPOINTS) {
            latency.put(e, Latency.recorder());
        }
    }

    void sent(FlowPlan.Call call) {
        sent.increment();
        if (call.duplicate()) {
            duplicates.increment();
        }
        if (call.resignedCopy()) {
            resigned.increment();
        }
    }

    void retry(String cause) {
        retries.increment();
        retryCauses.computeIfAbsent(cause, k -> new LongAdder()).increment();
    }

    /** A final outcome; {@code latencyNanos} from the step's start (the flow's intended start for its first step). */
    void record(Delivery.Outcome o, long latencyNanos) {
        String answer = answerKey(o);
        outcomes.computeIfAbsent(o.call().endpoint + " " + answer, k -> new LongAdder()).increment();
        if (o.status() == 0) {
            unknown.increment();
            return;
        }
        answered.increment();
        if (o.ok()) {
            ok.increment();
        }
        Latency.record(latency.get(o.call().endpoint), latencyNanos);
    }

    static String answerKey(Delivery.Outcome o) {
        if (o.status() == 0) {
            return UNKNOWN;
        }
        if (o.status() == 400) {
            return "400/" + (o.code() == null ? "?" : o.code().toString());
        }
        return Integer.toString(o.status());
    }

    long errors() {
        return answered.sum() - ok.sum() + unknown.sum();
    }

    // ------------------------------------------------------------------ the report

    /** The figures after the run; {@code seconds} the timed phase's wall time. */
    record Report(double seconds, long flowsStarted, long flowsCompleted, long flowsStopped, long callbacks, long duplicates,
            long answered, long ok, long unknown, long retries, long resigned, Map<String, Long> retryCauses, Map<String, Histogram> latency,
            Histogram all, Map<String, Long> outcomes) {

        double callbacksPerSecond() {
            return (answered + unknown) / seconds;
        }

        double flowsPerSecond() {
            return (flowsCompleted + flowsStopped) / seconds;
        }

        /** Non-200 final outcomes (refusals, other statuses, unknown) by "endpoint answer". */
        Map<String, Long> errors() {
            Map<String, Long> errors = new TreeMap<>();
            outcomes.forEach((k, v) -> {
                if (!k.endsWith(" 200")) {
                    errors.put(k, v);
                }
            });
            return errors;
        }

        long count(String endpoint) {
            return latency.get(endpoint).getTotalCount() + outcomes.getOrDefault(endpoint + " " + UNKNOWN, 0L);
        }
    }

    Report report(double seconds) {
        Map<String, Histogram> byEndpoint = new java.util.LinkedHashMap<>();
        Histogram all = Latency.histogram();
        for (String e : ENDPOINTS) {
            Histogram h = latency.get(e).getIntervalHistogram();
            byEndpoint.put(e, h);
            all.add(h);
        }
        Map<String, Long> outcomeCounts = new TreeMap<>();
        outcomes.forEach((k, v) -> outcomeCounts.put(k, v.sum()));
        Map<String, Long> causes = new TreeMap<>();
        retryCauses.forEach((k, v) -> causes.put(k, v.sum()));
        return new Report(Math.max(1e-9, seconds), flowsStarted.sum(), flowsCompleted.sum(), flowsStopped.sum(), sent.sum(),
                duplicates.sum(), answered.sum(), ok.sum(), unknown.sum(), retries.sum(), resigned.sum(), causes, byEndpoint, all,
                outcomeCounts);
    }

    static void print(Report r, LoadGenOptions o) {
        System.out.println();
        System.out.printf(Locale.ROOT, "loadgen %s, concurrency %d: %.1f s, %d flows (%d completed, %d stopped at a refused or"
                + " unknown callback), %d callbacks (%d duplicates)%n",
                o.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f flows/s", o.ratePerSecond) : "closed loop",
                o.concurrency, r.seconds(), r.flowsStarted(), r.flowsCompleted(), r.flowsStopped(), r.callbacks(), r.duplicates());
        System.out.printf(Locale.ROOT, "  throughput: %.1f callbacks/s, %.1f flows/s%n", r.callbacksPerSecond(), r.flowsPerSecond());
        System.out.printf(Locale.ROOT, "  latency ms%s, to the final answer (retries included):%n",
                o.openLoop() ? " (a flow's first callback from its intended start)" : "");
        System.out.printf(Locale.ROOT, "    %-13s %8s %9s %9s %9s %9s%n", "endpoint", "count", "p50", "p90", "p99", "max");
        r.latency().forEach((e, h) -> printLatency(e, r.count(e), h));
        printLatency("all", r.callbacks(), r.all());
        System.out.printf(Locale.ROOT, "  answers: %d answered (%d 200), %d unknown (retries exhausted)%n", r.answered(), r.ok(),
                r.unknown());
        System.out.println("  errors by endpoint and code: " + (r.errors().isEmpty() ? "none" : r.errors().toString()));
        System.out.println("  retries: " + r.retries() + (r.retryCauses().isEmpty() ? "" : " " + r.retryCauses()));
        System.out.println("  re-signed bodies sent (duplicates and retries): " + r.resigned());
    }

    private static void printLatency(String name, long count, Histogram h) {
        System.out.printf(Locale.ROOT, "    %-13s %8d %9.2f %9.2f %9.2f %9.2f%n", name, count, Latency.ms(h, 50), Latency.ms(h, 90),
                Latency.ms(h, 99), Latency.maxMs(h));
    }

    /** The {@code RESULT key=value ...} line for scripts. */
    static String resultLine(Report r, LoadGenOptions o, boolean exhausted, long logLines) {
        List<String> kv = new ArrayList<>();
        kv.add("mode=" + (o.openLoop() ? "open" : "closed"));
        kv.add("http_client=" + o.httpClient);
        kv.add("concurrency=" + o.concurrency);
        kv.add(String.format(Locale.ROOT, "rate=%.1f", o.ratePerSecond));
        kv.add(String.format(Locale.ROOT, "seconds=%.2f", r.seconds()));
        kv.add("flows=" + r.flowsStarted());
        kv.add("flows_completed=" + r.flowsCompleted());
        kv.add("flows_stopped=" + r.flowsStopped());
        kv.add("callbacks=" + r.callbacks());
        kv.add("duplicates=" + r.duplicates());
        kv.add("answered=" + r.answered());
        kv.add("ok=" + r.ok());
        kv.add("errors=" + (r.answered() - r.ok() + r.unknown()));
        kv.add("unknown=" + r.unknown());
        kv.add("retries=" + r.retries());
        kv.add("resigned=" + r.resigned());
        kv.add(String.format(Locale.ROOT, "callbacks_per_second=%.1f", r.callbacksPerSecond()));
        kv.add(String.format(Locale.ROOT, "flows_per_second=%.1f", r.flowsPerSecond()));
        kv.add(String.format(Locale.ROOT, "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f", Latency.ms(r.all(), 50),
                Latency.ms(r.all(), 90), Latency.ms(r.all(), 99), Latency.maxMs(r.all())));
        r.latency().forEach((e, h) -> kv.add(String.format(Locale.ROOT, "%s_count=%d %s_p99_ms=%.2f", key(e), r.count(e), key(e),
                Latency.ms(h, 99))));
        kv.add("exhausted=" + exhausted);
        kv.add("log_lines=" + logLines);
        return "RESULT " + String.join(" ", kv);
    }

    /** "bet/make" -> "make". */
    private static String key(String endpoint) {
        return endpoint.substring(endpoint.indexOf('/') + 1);
    }

    static ObjectNode json(Report r, LoadGenOptions o, boolean exhausted, long logLines) {
        ObjectNode root = JSON.createObjectNode();
        root.set("options", o.json());
        root.put("mode", o.openLoop() ? "open" : "closed")
                .put("seconds", r.seconds())
                .put("flows", r.flowsStarted())
                .put("flows_completed", r.flowsCompleted())
                .put("flows_stopped", r.flowsStopped())
                .put("callbacks", r.callbacks())
                .put("duplicates", r.duplicates())
                .put("answered", r.answered())
                .put("ok", r.ok())
                .put("unknown", r.unknown())
                .put("retries", r.retries())
                .put("resigned", r.resigned())
                .put("callbacks_per_second", r.callbacksPerSecond())
                .put("flows_per_second", r.flowsPerSecond())
                .put("exhausted", exhausted)
                .put("log_lines", logLines);
        ObjectNode causes = root.putObject("retry_causes");
        r.retryCauses().forEach(causes::put);
        ObjectNode lat = root.putObject("latency_ms");
        r.latency().forEach((e, h) -> latencyJson(lat.putObject(e), r.count(e), h));
        latencyJson(lat.putObject("all"), r.callbacks(), r.all());
        ObjectNode answers = root.putObject("answers");
        r.outcomes().forEach(answers::put);
        return root;
    }

    private static void latencyJson(ObjectNode n, long count, Histogram h) {
        n.put("count", count).put("p50", Latency.ms(h, 50)).put("p90", Latency.ms(h, 90)).put("p99", Latency.ms(h, 99))
                .put("max", Latency.maxMs(h));
    }
}
