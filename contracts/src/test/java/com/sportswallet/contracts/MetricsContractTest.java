package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The dashboard (deploy/grafana) and the alert rules (deploy/prometheus) name only metrics the contract
 * ({@link Metrics}) lists, which each service's own test proves it exposes on a live /q/metrics; the rules
 * pass Debian's promtool ({@code check rules}), and each rule has its own case in rules-test.yml
 * ({@code promtool test rules}). .ci/run installs promtool (package prometheus) where it is missing.
 */
class MetricsContractTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path RULES = ROOT.resolve("deploy/prometheus/rules.yml");
    static final Path RULES_TEST = ROOT.resolve("deploy/prometheus/rules-test.yml");
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/wallet.json");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String promql) {
        String s = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(s);
        while (m.find()) {
            String token = m.group().replaceAll("[\\s(]", "");
            if (m.group(1) == null && !KEYWORDS.contains(token.toLowerCase())) {
                names.add(token);
            }
        }
        return names;
    }

    @Test
    void theParserFindsMetricsAndNothingElse() {
        assertEquals(Set.of("callback_requests_seconds_bucket"),
                metricNames("histogram_quantile(0.99, sum by (le, endpoint) (rate(callback_requests_seconds_bucket{endpoint=\"bet/make\"}[5m])))"));
        assertEquals(Set.of("a_total", "b"), metricNames("max(increase(a_total{reason=~\"x|y\"}[10m])) > 0 and on (instance) b"));
    }

    @Test
    void theDashboardAndTheRulesUseOnlyContractedMetrics() throws IOException {
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));
        JsonNode rules = YAML.readTree(RULES.toFile());
        rules.get("groups").forEach(g -> g.get("rules").forEach(r -> expressions.add(r.get("expr").asText())));
        assertTrue(expressions.size() >= 20, "expressions read: " + expressions.size());
        Set<String> used = new TreeSet<>();
        expressions.forEach(e -> used.addAll(metricNames(e)));
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(Metrics.allExposed());
        assertEquals(Set.of(), unknown, "metrics the dashboard or the rules use that the contract does not list");
    }

    @Test
    void everyRuleHasAPromtoolCaseAndPassesIt() throws Exception {
        Set<String> alerts = new TreeSet<>();
        YAML.readTree(RULES.toFile()).get("groups").forEach(g -> g.get("rules").forEach(r -> alerts.add(r.get("alert").asText())));
        Set<String> tested = new TreeSet<>();
        YAML.readTree(RULES_TEST.toFile()).get("tests").forEach(t -> t.get("alert_rule_test").forEach(a -> tested.add(a.get("alertname").asText())));
        assertEquals(alerts, tested, "one promtool case per rule");
        assertTrue(Files.isExecutable(PROMTOOL), "promtool is missing: apt-get install prometheus (.ci/run does)");
        assertEquals("", promtool("check", "rules", RULES.toString()));
        assertEquals("", promtool("test", "rules", RULES_TEST.toString()));
    }

    /** Runs promtool; "" when it exits 0, else its output. */
    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        return p.exitValue() == 0 ? "" : out;
    }
}
