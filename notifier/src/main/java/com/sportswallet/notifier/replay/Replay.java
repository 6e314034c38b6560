package com.sportswallet.notifier.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Admin-API half of {@code scripts/replay} (the script stops and restarts the services).
 * <pre>
 *   Replay members GROUP                      list live members; exit 0 when none, 3 when some
 *   Replay wait-empty GROUP SECONDS           exit 0 once the group has no live member, 4 after SECONDS
 *   Replay reset GROUP TARGET [--topic T]... [--dry-run]
 *       TARGET: --to-earliest | --to-datetime ISO8601 | --to-offset N
 *       prints each partition's move and how many records will be re-read; exit 3 (nothing changed)
 *       while the group has live members (a dry run only prints, members or not)
 *   Replay streams-reset APP_ID --input-topic T [--input-topic T]... [--state-dir DIR] [--dry-run]
 *       full Kafka Streams reset (see GroupReset#resetStreamsApplication); exit 3 with live members
 * </pre>
 * Broker: {@code --bootstrap-server HOST:PORT}, else KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092.
 * Exit codes: 0 done, 1 failed, 2 usage, 3 the group has live members (nothing changed), 4 timeout.
 */
public final class Replay {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int LIVE_MEMBERS = 3;
    static final int TIMEOUT = 4;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private Replay() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] argv) {
        List<String> args = new ArrayList<>(List.of(argv));
        String bootstrap;
        try {
            bootstrap = option(args, "--bootstrap-server");
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        if (bootstrap == null) {
            bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        }
        if (args.size() < 2) {
            return usage("missing command or group");
        }
        String command = args.remove(0);
        String group = args.remove(0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()))) {
            GroupReset tool = new GroupReset(admin, System.out);
            switch (command) {
                case "members": {
                    GroupReset.GroupInfo g = tool.describe(group);
                    System.out.printf("replay: group %s state %s, %d live members%n", group, g.state(), g.members().size());
                    g.members().forEach(m -> System.out.println("  " + m));
                    return g.empty() ? OK : LIVE_MEMBERS;
                }
                case "wait-empty": {
                    if (args.size() != 1) {
                        return usage("wait-empty GROUP SECONDS");
                    }
                    return tool.awaitEmpty(group, Duration.ofSeconds(Long.parseLong(args.get(0)))) ? OK : TIMEOUT;
                }
                case "reset": {
                    boolean dryRun = args.remove("--dry-run");
                    List<String> topics = options(args, "--topic");
                    GroupReset.Target target = target(args);
                    if (target == null || !args.isEmpty()) {
                        return usage("reset GROUP --to-earliest|--to-datetime ISO8601|--to-offset N [--topic T]... [--dry-run]");
                    }
                    GroupReset.GroupInfo g = tool.describe(group);
                    if (!g.empty() && !dryRun) {
                        return liveMembers(g);
                    }
                    GroupReset.Plan plan = tool.plan(group, target, topics);
                    tool.print(plan);
                    if (dryRun) {
                        System.out.println("replay: dry run, nothing changed");
                        return OK;
                    }
                    tool.apply(plan);
                    System.out.printf("replay: group %s offsets moved (%s)%n", group, target.describe());
                    return OK;
                }
                case "streams-reset": {
                    boolean dryRun = args.remove("--dry-run");
                    List<String> inputs = options(args, "--input-topic");
                    String stateDir = option(args, "--state-dir");
                    if (inputs.isEmpty() || !args.isEmpty()) {
                        return usage("streams-reset APP_ID --input-topic T [--state-dir DIR] [--dry-run]");
                    }
                    GroupReset.GroupInfo g = tool.describe(group);
                    if (!g.empty() && !dryRun) {
                        return liveMembers(g);
                    }
                    tool.resetStreamsApplication(group, inputs, stateDir == null ? null : Path.of(stateDir), dryRun);
                    if (dryRun) {
                        System.out.println("replay: dry run, nothing changed");
                    }
                    return OK;
                }
                default:
                    return usage("unknown command " + command);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("replay: " + e.getMessage());
            return USAGE;
        } catch (IllegalStateException e) {
            System.err.println("replay: " + e.getMessage());
            return LIVE_MEMBERS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } catch (Exception e) {
            System.err.println("replay: failed: " + e);
            return FAILED;
        }
    }

    private static int liveMembers(GroupReset.GroupInfo g) {
        System.out.printf("replay: group %s has %d live members; nothing changed%n", g.groupId(), g.members().size());
        g.members().forEach(m -> System.out.println("  " + m));
        return LIVE_MEMBERS;
    }

    static GroupReset.Target target(List<String> args) {
        GroupReset.Target target = null;
        int chosen = 0;
        if (args.remove("--to-earliest")) {
            target = new GroupReset.Earliest();
            chosen++;
        }
        String time = option(args, "--to-datetime");
        if (time != null) {
            target = new GroupReset.AtTime(parseTime(time));
            chosen++;
        }
        String offset = option(args, "--to-offset");
        if (offset != null) {
            try {
                target = new GroupReset.AtOffset(Long.parseLong(offset));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--to-offset needs a number: " + offset);
            }
            chosen++;
        }
        if (chosen > 1) {
            throw new IllegalArgumentException("choose one of --to-earliest, --to-datetime, --to-offset");
        }
        return target;
    }

    /** ISO 8601: an instant or offset date-time; a local date-time or a date is taken as UTC. */
    static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e1) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException("not an ISO 8601 date-time: " + text);
                }
            }
        }
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        args.remove(i);
        return args.remove(i);
    }

    private static List<String> options(List<String> args, String name) {
        List<String> values = new ArrayList<>();
        String v;
        while ((v = option(args, name)) != null) {
            values.add(v);
        }
        return values;
    }

    private static int usage(String problem) {
        System.err.println("replay: " + problem);
        System.err.println("usage: Replay members GROUP | wait-empty GROUP SECONDS | reset GROUP TARGET [--topic T]... [--dry-run]"
                + " | streams-reset APP_ID --input-topic T [--state-dir DIR] [--dry-run]");
        return USAGE;
    }
}
