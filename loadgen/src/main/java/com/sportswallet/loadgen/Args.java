package com.sportswallet.loadgen;

import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Command-line options shared by the benchmark programs: {@code --name value}, {@code --name=value}, flags. */
final class Args {
    private Args() {
    }

    /**
     * Hands each option to {@code apply} (value null for a name in {@code flags}); {@code --help}
     * prints {@code usage} and exits. {@code apply} refuses names it does not know.
     */
    /**
     * The options {@code parser} makes of {@code args}; when it refuses them, prints
     * {@code program: reason} to stderr and exits with status 2 (bad options), as every program here does.
     */
    static <T> T parseOrExit(String program, String[] args, Function<String[], T> parser) {
        try {
            return parser.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.exit(2);
            throw e; // not reached: exit does not return
        }
    }

    static void parse(String[] args, String usage, Set<String> flags, BiConsumer<String, String> apply) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (flags.contains(name)) {
                apply.accept(name, null);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + name + "\n" + usage);
                }
                value = args[++i];
            }
            apply.accept(name, value);
        }
    }

    static int positiveInt(String name, String value) {
        int v = Integer.parseInt(value);
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1");
        }
        return v;
    }

    static int nonNegativeInt(String name, String value) {
        int v = Integer.parseInt(value);
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
        return v;
    }

    /** A whole number in {@code min..max}. */
    static long longInRange(String name, String value, long min, long max) {
        long v = Long.parseLong(value);
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + value);
        }
        return v;
    }

    /** A number in {@code min..max} (NaN refused). */
    static double doubleInRange(String name, String value, double min, double max) {
        double v = Double.parseDouble(value);
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + value);
        }
        return v;
    }
}
