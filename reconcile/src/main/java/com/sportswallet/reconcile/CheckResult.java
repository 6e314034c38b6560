package com.sportswallet.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * One check's outcome: its name, how many discrepancies it found, and the first few of them in
 * words. Built by the check groups with {@link Builder}; immutable once built.
 */
public record CheckResult(String name, long discrepancies, List<String> examples) {

    public CheckResult {
        examples = List.copyOf(examples);
    }

    public boolean ok() {
        return discrepancies == 0;
    }

    /** The check's first line: {@code check NAME: ok} or {@code check NAME: N discrepancies}. */
    public String headline() {
        return "check " + name + ": " + (ok() ? "ok" : discrepancies + (discrepancies == 1 ? " discrepancy" : " discrepancies"));
    }

    static Builder builder(String name, int examplesMax) {
        return new Builder(name, examplesMax);
    }

    /** Counts discrepancies and keeps the first {@code examplesMax} descriptions. */
    static final class Builder {
        private final String name;
        private final int examplesMax;
        private final List<String> examples = new ArrayList<>();
        private long count;

        private Builder(String name, int examplesMax) {
            this.name = name;
            this.examplesMax = examplesMax;
        }

        /** One discrepancy, described by {@code example}. */
        Builder add(String example) {
            count++;
            if (examples.size() < examplesMax) {
                examples.add(example);
            }
            return this;
        }

        /**
         * {@code total} discrepancies of which {@code shown} were described (a query that counts all
         * offending rows and returns only the first few).
         */
        Builder addCounted(long total, List<String> shown) {
            count += total;
            for (String s : shown) {
                if (examples.size() < examplesMax) {
                    examples.add(s);
                }
            }
            return this;
        }

        int examplesMax() {
            return examplesMax;
        }

        CheckResult build() {
            return new CheckResult(name, count, examples);
        }
    }
}
