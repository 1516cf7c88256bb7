package io.orderflow.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Looking at processes through /proc, as the tests of the embedded services need: by pid file, by command line. */
public final class Pids {
  private Pids() {}

  /** The pid in the first line of {@code file}, or -1. */
  public static long read(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Running: neither gone nor a zombie. */
  public static boolean running(long pid) {
    if (pid <= 0) return false;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  public static List<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return raw.length == 0 ? List.of() : Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Running processes whose executable ends with {@code program} and whose arguments include {@code argument}. */
  public static List<Long> find(String program, String argument) throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .map(Long::parseLong).filter(Pids::running)
          .filter(pid -> {
            List<String> cmd = commandLine(pid);
            return !cmd.isEmpty() && cmd.get(0).endsWith(program) && cmd.contains(argument);
          }).toList();
    }
  }

  /** Sends a signal by name; also to a process group when {@code pid} is negative. */
  public static void signal(long pid, String signal) throws IOException, InterruptedException {
    new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- " + pid).inheritIO().start().waitFor();
  }
}
