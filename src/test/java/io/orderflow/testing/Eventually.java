package io.orderflow.testing;

import java.time.Duration;

public final class Eventually {
  private Eventually() {}

  public interface Check {
    boolean ok() throws Exception;
  }

  /** Polls {@code check} until it holds; fails with {@code what} when the time is up. */
  public static void await(Duration timeout, String what, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (check.ok()) return;
        last = null;
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what, last);
  }
}
