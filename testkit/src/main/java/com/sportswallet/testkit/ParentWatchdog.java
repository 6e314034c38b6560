package com.sportswallet.testkit;

import java.lang.reflect.Method;

/**
 * Entry point of the child broker JVM: runs {@code kafka.Kafka} and exits as soon as the test JVM
 * that started it is gone, so a killed or crashed test run never leaves a broker behind.
 * Uses nothing but the JDK (its classpath is the broker's own).
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        String mainClass = args[1];
        String[] rest = java.util.Arrays.copyOfRange(args, 2, args.length);
        Thread watchdog = new Thread(() -> {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        main.invoke(null, (Object) rest);
    }
}
