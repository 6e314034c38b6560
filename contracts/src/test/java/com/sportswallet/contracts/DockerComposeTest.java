package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * docker-compose.yml is a deployment sketch that cannot run here (no Docker engine), so it is read (issue 17):
 * the same Kafka as everything else, the same defaults as scripts/up and scripts/kafka, every port on the
 * host's loopback, a restart policy on every long-running service, the notifier's state on a volume, and
 * every bind mount refusing a missing source (no empty directory mounted in place of a build or the keys).
 */
class DockerComposeTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final JsonNode COMPOSE = read();

    static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The default of {@code ${NAME:-default}} in a compose value. */
    static String composeDefault(String value, String name) {
        Matcher m = Pattern.compile("\\$\\{" + name + ":-([^}]*)\\}").matcher(value);
        assertTrue(m.find(), name + " has no default in " + value);
        return m.group(1);
    }

    /** The default a script gives {@code NAME="${NAME:-default}"}. */
    static String scriptDefault(String script, String name) throws IOException {
        Matcher m = Pattern.compile(name + "=\"\\$\\{" + name + ":-([^}]*)\\}\"").matcher(Files.readString(ROOT.resolve(script)));
        assertTrue(m.find(), script + " gives " + name + " no default");
        return m.group(1);
    }

    @Test
    void kafkaIsTheVersionEverythingElseRuns() throws IOException {
        Matcher m = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(Files.readString(ROOT.resolve("kafka-runtime/pom.xml")));
        assertTrue(m.find());
        assertEquals("apache/kafka:" + m.group(1), COMPOSE.at("/services/kafka/image").asText());
        assertEquals("apache/kafka:" + m.group(1), COMPOSE.at("/services/kafka-init/image").asText());
    }

    @Test
    void theDefaultsAreScriptsUps() throws IOException {
        JsonNode env = COMPOSE.at("/x-service-env");
        assertEquals(scriptDefault("scripts/kafka", "TOPIC_PARTITIONS"), composeDefault(env.get("TOPIC_PARTITIONS").asText(), "TOPIC_PARTITIONS"));
        assertEquals(scriptDefault("scripts/kafka", "DERIVED_RETENTION_MS"),
                composeDefault(env.get("DERIVED_RETENTION_MS").asText(), "DERIVED_RETENTION_MS"));
        assertEquals(scriptDefault("scripts/up", "JAVA_OPTS"), composeDefault(env.get("JAVA_TOOL_OPTIONS").asText(), "JAVA_OPTS"));
        assertEquals(scriptDefault("scripts/up", "NOTIFIER_JAVA_OPTS"),
                composeDefault(COMPOSE.at("/services/notifier/environment/JAVA_TOOL_OPTIONS").asText(), "NOTIFIER_JAVA_OPTS"));
        assertEquals("true", composeDefault(COMPOSE.at("/services/ingress/environment/SESSIONS_REQUIRED").asText(), "SESSIONS_REQUIRED"));
    }

    @Test
    void portsOnLoopbackRestartPoliciesAndStrictMounts() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : (Iterable<Map.Entry<String, JsonNode>>) COMPOSE.get("services")::fields) {
            String name = service.getKey();
            JsonNode s = service.getValue();
            s.path("ports").forEach(p -> {
                if (!p.asText().startsWith("127.0.0.1:")) {
                    problems.add(name + ": port " + p.asText() + " is not on loopback");
                }
            });
            if (!name.equals("kafka-init") && !"unless-stopped".equals(s.path("restart").asText())) {
                problems.add(name + ": no restart policy");
            }
            s.path("volumes").forEach(v -> {
                if (v.isTextual() && (v.asText().startsWith("./") || v.asText().startsWith("/"))) {
                    problems.add(name + ": bind mount " + v.asText() + " would mount an empty directory if its source were missing");
                } else if (v.isObject() && "bind".equals(v.path("type").asText()) && v.at("/bind/create_host_path").asBoolean(true)) {
                    problems.add(name + ": bind mount of " + v.path("source").asText() + " may create its source");
                }
            });
        }
        assertEquals(List.of(), problems);
        String stateDir = COMPOSE.at("/services/notifier/environment/NOTIFIER_STATE_DIR").asText();
        List<String> notifierVolumes = new ArrayList<>();
        COMPOSE.at("/services/notifier/volumes").forEach(v -> notifierVolumes.add(v.asText()));
        assertTrue(notifierVolumes.contains("notifier-state:" + stateDir), "the notifier's state on a named volume: " + notifierVolumes);
        assertTrue(COMPOSE.at("/volumes").has("notifier-state"));
        assertTrue(COMPOSE.at("/services/prometheus/volumes").toString().contains("./deploy/prometheus/rules.yml"), "Prometheus loads the tested rules");
        assertTrue(COMPOSE.at("/services/grafana/volumes").toString().contains("./deploy/grafana/dashboards"), "Grafana shows the checked dashboard");
    }
}
