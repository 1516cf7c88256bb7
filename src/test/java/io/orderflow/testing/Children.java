package io.orderflow.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every process a test starts (nats-servers, node JVMs) is registered here and killed, with its
 * descendants, when the test JVM exits: a test whose setup or teardown failed half-way leaves
 * nothing running. A process stopped by its test has already left the set by then.
 */
public final class Children {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }), "test-children-cleanup"));
  }

  private Children() {}

  /** Returns {@code p}, killed at JVM exit if it still runs then. */
  public static Process track(Process p) {
    LIVE.removeIf(q -> !q.isAlive());
    LIVE.add(p);
    return p;
  }
}
