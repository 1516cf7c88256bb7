package io.orderflow.infra.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux plumbing of the embedded services: each child runs in a session of its own (Ctrl-C in
 * the node's terminal reaches the node, which stops its children in order) and gets a signal from
 * the kernel when the node dies (kill -9 of the node takes its children with it). Both come from
 * util-linux ({@code setsid}, {@code setpriv --pdeathsig}); without them the children still run
 * and the next start stops the orphans it finds through their pid files.
 */
final class Processes {
  private static final Logger log = LoggerFactory.getLogger(Processes.class);

  private static final Optional<Path> SETSID = onPath("setsid");
  private static final Optional<Path> SETPRIV = onPath("setpriv");

  /**
   * Every child is started from this one thread: the kernel sends the death signal when the
   * <em>thread</em> that started a child ends, so it must live as long as the JVM. Restarts of a
   * supervised child are scheduled here too.
   */
  static final ScheduledExecutorService SPAWNER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "orderflow-embedded");
    t.setDaemon(true);
    spawnerThread = t;
    return t;
  });
  private static volatile Thread spawnerThread;

  static {
    if (SETSID.isEmpty() || SETPRIV.isEmpty()) {
      log.warn("setsid/setpriv (util-linux) not on PATH: embedded services share the node's process group and "
          + "outlive a killed node; the next start stops them");
    }
  }

  private Processes() {}

  /**
   * {@code command} in a session of its own, sent {@code deathSignal} when the node dies, and,
   * when {@code userNamespace} and the node runs as root, as an unprivileged user in a user
   * namespace (PostgreSQL refuses to run as root).
   */
  static List<String> wrap(List<String> command, String deathSignal, boolean userNamespace) {
    List<String> full = new ArrayList<>();
    SETSID.ifPresent(p -> full.add(p.toString()));
    if (userNamespace && isRoot()) full.addAll(List.of(unshare(), "-U"));
    SETPRIV.ifPresent(p -> full.addAll(List.of(p.toString(), "--pdeathsig", deathSignal)));
    full.addAll(command);
    return full;
  }

  /** Starts {@code pb} on the spawner thread (see {@link #SPAWNER}). */
  static Process start(ProcessBuilder pb) throws IOException {
    return onSpawner(pb::start);
  }

  /** Runs {@code task} on the spawner thread and waits for it. */
  static <T> T onSpawner(Callable<T> task) throws IOException {
    try {
      if (Thread.currentThread() == spawnerThread) return task.call();
      return SPAWNER.submit(task).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static String unshare() {
    return onPath("unshare").map(Path::toString).orElseThrow(() -> new IllegalStateException(
        "PostgreSQL does not run as root, and unshare (util-linux) is not on PATH to run it as another user: "
            + "run the node as a normal user, or set DB_URL"));
  }

  /** Running, as opposed to gone or a zombie waiting to be reaped. */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The command line of a running process, empty when it is gone. */
  static List<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (raw.length == 0 || !isRunning(pid)) return List.of();
      return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Sends a signal by name (INT, TERM, QUIT, KILL); false when the process is gone. */
  static boolean signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " " + pid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return kill.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until {@code pid} is no longer running; true if it ended within {@code timeout}. */
  static boolean awaitExit(long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning(pid)) {
      if (System.nanoTime() > deadline) return false;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !isRunning(pid);
      }
    }
    return true;
  }

  /**
   * Stops {@code pid}: {@code signal}, then SIGKILL if it has not ended after {@code grace}.
   * Returns false if it still runs after that.
   */
  static boolean stop(long pid, String signal, Duration grace) {
    if (!isRunning(pid)) return true;
    signal(pid, signal);
    if (awaitExit(pid, grace)) return true;
    log.warn("Process {} did not stop within {} s of SIG{}; killing it", pid, grace.toSeconds(), signal);
    signal(pid, "KILL");
    return awaitExit(pid, Duration.ofSeconds(5));
  }

  /** The pid in the first line of {@code file}, if the file exists and holds one. */
  static Optional<Long> readPid(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The last {@code n} lines of a log file, to say why a child did not start. */
  static String tail(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) return Optional.empty();
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  static void sleep(Duration d) {
    try {
      TimeUnit.MILLISECONDS.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
