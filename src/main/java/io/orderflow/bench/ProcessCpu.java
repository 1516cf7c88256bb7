package io.orderflow.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU time of a process (and, for PostgreSQL, of all its backends), from the kernel's per-process
 * counters in /proc, as {@code top} and the rounds of docs/PERFORMANCE.md read them. Linux only.
 */
final class ProcessCpu {
  /** Clock ticks per second of /proc/[pid]/stat (USER_HZ, 100 on Linux). */
  private static final double HZ = 100.0;

  private final long pid;
  private final boolean withChildren;

  private ProcessCpu(long pid, boolean withChildren) {
    this.pid = pid;
    this.withChildren = withChildren;
  }

  /** The process listening on TCP {@code port} on this machine, or null when none is found. */
  static ProcessCpu listeningOn(int port, boolean withChildren) {
    Long found = pidListeningOn(port);
    return found == null ? null : new ProcessCpu(found, withChildren);
  }

  static ProcessCpu of(long pid, boolean withChildren) {
    return new ProcessCpu(pid, withChildren);
  }

  long pid() {
    return pid;
  }

  /**
   * CPU seconds so far. With children: the process, its live children, and what its finished
   * children used (the kernel adds that to the parent's cutime/cstime once it reaps them).
   */
  double seconds() {
    long[] self = ticks(stat(pid));
    if (self == null) return Double.NaN;
    long total = self[0] + self[1];
    if (withChildren) {
      total += self[2] + self[3];
      for (long child : children(pid)) {
        long[] t = ticks(stat(child));
        if (t != null) total += t[0] + t[1];
      }
    }
    return total / HZ;
  }

  /**
   * CPU ticks so far of each of the process's JIT compiler threads (HotSpot's "C1 CompilerThread…"
   * and "C2 CompilerThread…"), by thread id; null when the process cannot be read. HotSpot starts
   * and ends compiler threads as its queue grows and shrinks, so compare two of these with
   * {@link #compilerSeconds}, not their sums.
   */
  Map<Long, Long> compilerThreads() {
    Map<Long, Long> threads = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        String name;
        try {
          name = Files.readString(task.resolve("comm"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) continue;
        long[] t = ticks(task.resolve("stat"));
        if (t != null) threads.put(Long.parseLong(task.getFileName().toString()), t[0] + t[1]);
      }
    } catch (IOException e) {
      return null;
    }
    return threads;
  }

  /**
   * CPU seconds the compiler threads of {@code after} used since {@code before}: a part of the
   * process's {@link #seconds}, what a young JVM spends compiling rather than serving. A thread
   * that ended in between takes its share with it (a little too low, never below 0).
   */
  static double compilerSeconds(Map<Long, Long> before, Map<Long, Long> after) {
    if (before == null || after == null) return Double.NaN;
    long total = 0;
    for (Map.Entry<Long, Long> t : after.entrySet()) {
      total += Math.max(0, t.getValue() - before.getOrDefault(t.getKey(), 0L));
    }
    return total / HZ;
  }

  private static Path stat(long pid) {
    return Path.of("/proc", Long.toString(pid), "stat");
  }

  /** utime, stime, cutime, cstime from a process's or a thread's stat file. */
  private static long[] ticks(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": field 3 is index 0; utime is field 14 → index 11
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static List<Long> children(long parent) {
    List<Long> kids = new ArrayList<>();
    ProcessHandle.of(parent).ifPresent(p -> p.children().forEach(c -> kids.add(c.pid())));
    return kids;
  }

  private static Long pidListeningOn(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length < 10 || !f[3].equals("0A")) continue; // 0A: LISTEN
          String local = f[1];
          if (Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) inodes.add(f[9]);
        }
      } catch (IOException | RuntimeException ignored) {
        // no such table
      }
    }
    if (inodes.isEmpty()) return null;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
          for (Path fd : fds.toList()) {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
              return Long.parseLong(proc.getFileName().toString());
            }
          }
        } catch (IOException | RuntimeException ignored) {
          // gone, or not ours to read
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
