package io.orderflow.infra.embedded;

import io.orderflow.infra.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded server run as a child of the node: started in a session of its own with a death
 * signal (see {@link Processes}), its output appended to a log file, replaced on the same command
 * line (same port, same store) when it dies, and stopped only when the node is done with it.
 */
final class Child {
  private static final Logger log = LoggerFactory.getLogger(Child.class);
  /** A child that ran this long before it died gets restarted at once again next time. */
  private static final Duration STABLE = Duration.ofSeconds(30);

  /** Whether a freshly started child is ready for the node: it, not some other server, answers. */
  @FunctionalInterface
  interface Probe {
    boolean ready(Process process) throws Exception;
  }

  /**
   * @param name for log lines ("PostgreSQL", "nats-server")
   * @param pidFile where its pid is written while it runs, or null when the server writes its own
   * @param stopSignal the signal that stops it cleanly; SIGKILL follows after {@code stopGrace}
   * @param userNamespace run as an unprivileged user when the node runs as root
   */
  record Spec(String name, List<String> command, Path logFile, Path pidFile, String stopSignal,
      Duration stopGrace, boolean userNamespace, Probe probe) {}

  private final Spec spec;
  private final Backoff backoff = Backoff.of(Duration.ofMillis(500), Duration.ofSeconds(10));
  private Process process;
  private long startedAt;
  private boolean stopping;

  private Child(Spec spec) {
    this.spec = spec;
  }

  /**
   * Starts the child and waits until its probe passes; fails at once, with the end of its log,
   * if it exits meanwhile. From then on it is supervised.
   */
  static Child start(Spec spec, Duration timeout) throws IOException {
    Child child = new Child(spec);
    Process p = child.spawn();
    if (p == null) throw new IOException(spec.name() + ": the node is stopping");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (p.isAlive() && spec.probe().ready(p)) break;
      } catch (Exception e) {
        // not up yet
      }
      if (!p.isAlive()) {
        throw new IOException(spec.name() + " exited with status " + p.exitValue() + " at start; the end of "
            + spec.logFile() + ":\n" + Processes.tail(spec.logFile(), 15));
      }
      if (System.nanoTime() > deadline) {
        child.stop();
        throw new IOException(spec.name() + " did not answer within " + timeout.toSeconds() + " s; see "
            + spec.logFile());
      }
      Processes.sleep(Duration.ofMillis(100));
    }
    child.watch(p);
    return child;
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Starts the command on the spawner thread; null once stopping. */
  private synchronized Process spawn() throws IOException {
    if (stopping) return null;
    Files.createDirectories(spec.logFile().getParent());
    // Killed with the node, the child gets the same signal as in a clean stop, from the kernel.
    ProcessBuilder pb = new ProcessBuilder(Processes.wrap(spec.command(), spec.stopSignal(), spec.userNamespace()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
    try {
      process = Processes.start(pb);
    } catch (IOException e) {
      throw new IOException("cannot start " + spec.command().get(0) + ": " + e.getMessage(), e);
    }
    startedAt = System.nanoTime();
    if (spec.pidFile() != null) Files.writeString(spec.pidFile(), process.pid() + "\n");
    return process;
  }

  private void watch(Process p) {
    p.onExit().thenRun(() -> Processes.SPAWNER.execute(() -> exited(p)));
  }

  private void exited(Process p) {
    Duration delay;
    synchronized (this) {
      if (stopping || p != process) return;
      if (System.nanoTime() - startedAt > STABLE.toNanos()) backoff.reset();
      delay = backoff.next();
    }
    log.warn("{} (pid {}) exited with status {}; starting it again in {} ms", spec.name(), p.pid(), p.exitValue(),
        delay.toMillis());
    Processes.SPAWNER.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void restart() {
    try {
      Process p = spawn();
      if (p == null) return;
      log.info("{} started again (pid {})", spec.name(), p.pid());
      watch(p);
    } catch (IOException e) {
      Duration delay;
      synchronized (this) {
        delay = backoff.next();
      }
      log.warn("{} could not be started again ({}); trying again in {} ms", spec.name(), e.getMessage(),
          delay.toMillis());
      Processes.SPAWNER.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Stops the child for good: its clean-stop signal, SIGKILL after the grace time. */
  void stop() {
    Process p;
    synchronized (this) {
      stopping = true;
      p = process;
    }
    if (p != null && p.isAlive()) {
      long t0 = System.nanoTime();
      Processes.signal(p.pid(), spec.stopSignal());
      try {
        if (!p.waitFor(spec.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("{} (pid {}) did not stop within {} s; killing it", spec.name(), p.pid(), spec.stopGrace().toSeconds());
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      log.info("Stopped {} (pid {}) in {} ms", spec.name(), p.pid(), (System.nanoTime() - t0) / 1_000_000);
    }
    if (spec.pidFile() != null) {
      try {
        Files.deleteIfExists(spec.pidFile());
      } catch (IOException e) {
        log.warn("Cannot remove {}: {}", spec.pidFile(), e.getMessage());
      }
    }
  }
}
