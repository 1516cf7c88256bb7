package io.orderflow.infra;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, the one way orderflow waits before trying again (database at
 * start-up, JetStream topology, a worker's consumer). Jitter keeps the nodes of a cluster from
 * retrying in step after a shared outage. Not thread-safe: one per retry loop.
 */
public final class Backoff {
  private final Duration min;
  private final Duration max;
  private final double randomFactor;
  private Duration next;

  public Backoff(Duration min, Duration max, double randomFactor) {
    this.min = min;
    this.max = max;
    this.randomFactor = randomFactor;
    this.next = min;
  }

  /** From {@code min}, doubling to {@code max}, each delay stretched by up to 20 %. */
  public static Backoff of(Duration min, Duration max) {
    return new Backoff(min, max, 0.2);
  }

  /** The delay before the next attempt; each call doubles the following one. */
  public Duration next() {
    Duration base = next;
    next = base.multipliedBy(2).compareTo(max) > 0 ? max : base.multipliedBy(2);
    long jitter = (long) (base.toMillis() * randomFactor * ThreadLocalRandom.current().nextDouble());
    return base.plusMillis(jitter);
  }

  /** After a success: the next failure waits {@code min} again. */
  public void reset() {
    next = min;
  }

  /** Sleeps for {@link #next()}; returns the delay slept. */
  public Duration sleep() throws InterruptedException {
    Duration d = next();
    Thread.sleep(d.toMillis());
    return d;
  }
}
