package com.sportswallet.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of this repository from wherever a test or tool runs (a module dir, the root). */
final class RepoPaths {
    private RepoPaths() {
    }

    static Path find(String relative) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int depth = 0; dir != null && depth < 6; depth++, dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find " + relative + " above " + System.getProperty("user.dir")
                + " (run the build from the repository: mvn -B verify)");
    }
}
