package io.orderflow.bench;

/** Placeholder replaced by the benchmark command (issue 6). */
public final class Bench {
  private Bench() {}

  public static int run(String[] args) {
    System.err.println("bench: not built yet");
    return 2;
  }
}
