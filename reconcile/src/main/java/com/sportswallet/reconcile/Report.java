package com.sportswallet.reconcile;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** Every check's result, in the order they ran, and their total. */
public record Report(List<CheckResult> checks) {

    public Report {
        checks = List.copyOf(checks);
    }

    public long discrepancies() {
        return checks.stream().mapToLong(CheckResult::discrepancies).sum();
    }

    public Optional<CheckResult> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The names of the checks that found something. */
    public List<String> failing() {
        return checks.stream().filter(c -> !c.ok()).map(CheckResult::name).toList();
    }

    /**
     * Each check's headline followed by its examples (indented), then exactly
     * {@code discrepancies: N} as the last line.
     */
    public void print(PrintStream out) {
        for (CheckResult c : checks) {
            out.println(c.headline());
            for (String example : c.examples()) {
                out.println("  " + example);
            }
        }
        out.println("discrepancies: " + discrepancies());
    }
}
