package io.orderflow.infra;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's scheduler without a tick ({@code pekko.scheduler.implementation}, cluster.conf): one
 * timer thread that sleeps until the next task is due. Pekko's own wheel wakes every
 * {@code tick-duration} whether a task is due or not, 50 times a second at 20 ms; on a 2-core VM
 * each wake-up costs about 0.1 ms of CPU. Here {@code tick-duration} is only the grid that due
 * times are rounded up to, as the wheel rounds them, so that timers due close together are
 * handed to their executors in one wake-up. Behaves as Pekko's does: a task runs on the executor
 * it was scheduled with, at the first grid point at or after its due time; a repeating one is due
 * again an interval after its last due time (never overlapping itself) and stops when it throws; pending
 * one-off {@link Scheduler.TaskRunOnClose} tasks run when the actor system stops, and scheduling
 * after that throws what Pekko's own timers expect to stop on.
 */
public final class TicklessScheduler implements Scheduler, Closeable {
  private static final int SCHEDULED = 0;
  private static final int EXECUTED = 1;
  private static final int CANCELLED = 2;
  /** Pekko's wheel refuses delays beyond Int.MaxValue ticks; this is that limit at its default 10 ms tick. */
  private static final long MAX_DELAY_NANOS = Integer.MAX_VALUE * 10_000_000L;

  private final ScheduledThreadPoolExecutor timer;
  private final LoggingAdapter log;
  private final long shutdownTimeoutNanos;
  /** Due times are rounded up to this grid (tick-duration), so timers due close together wake it once. */
  private final long gridNanos;
  private final long origin = System.nanoTime();
  private final Set<Timer> runOnClose = ConcurrentHashMap.newKeySet();

  /** The constructor Pekko calls: (config, log, thread factory). */
  public TicklessScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.log = log;
    this.shutdownTimeoutNanos = config.getDuration("pekko.scheduler.shutdown-timeout").toNanos();
    this.gridNanos = Math.max(1, config.getDuration("pekko.scheduler.tick-duration").toNanos());
    this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
    // Every ask schedules its timeout and cancels it when answered: drop those from the queue.
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable task, ExecutionContext executor) {
    return new Timer(task, executor, 0).arm(checked(delay));
  }

  @Override
  public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable task,
      ExecutionContext executor) {
    return new Timer(task, executor, checkedInterval(interval)).arm(checked(initialDelay));
  }

  /** Pekko builds this on {@link #scheduleOnce}; a delay of 0 would loop without pause. */
  @Override
  public Cancellable scheduleWithFixedDelay(FiniteDuration initialDelay, FiniteDuration delay, Runnable task,
      ExecutionContext executor) {
    checkedInterval(delay);
    return Scheduler.super.scheduleWithFixedDelay(initialDelay, delay, task, executor);
  }

  /** A repeating task runs at most once per grid point (Pekko's cluster checks this against its own ticks). */
  @Override
  public double maxFrequency() {
    return 1e9 / gridNanos;
  }

  /** Lets a task being handed over finish, drops the rest, and runs the one-off tasks marked to run on close. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      timer.awaitTermination(shutdownTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Timer t : runOnClose) {
      if (t.state.compareAndSet(SCHEDULED, EXECUTED)) {
        try {
          t.task.run();
        } catch (SchedulerException ignored) {
          // its target actor has stopped
        } catch (RuntimeException e) {
          log.error(e, "a timer task failed while the scheduler closed");
        }
      }
    }
    runOnClose.clear();
  }

  /**
   * The first grid point at or after {@code at} (a System.nanoTime() at or after {@code origin}).
   * Differences only, so it holds when nanoTime wraps.
   */
  static long gridPoint(long at, long origin, long gridNanos) {
    long since = at - origin;
    return origin + (since / gridNanos + (since % gridNanos == 0 ? 0 : 1)) * gridNanos;
  }

  private static long checked(FiniteDuration delay) {
    long nanos = Math.max(0, delay.toNanos());
    if (nanos > MAX_DELAY_NANOS) {
      throw new IllegalArgumentException("Task scheduled with [" + delay.toSeconds()
          + "] seconds delay, which is too far in future, maximum delay is [" + MAX_DELAY_NANOS / 1_000_000_000L
          + "] seconds");
    }
    return nanos;
  }

  private static long checkedInterval(FiniteDuration interval) {
    if (interval.toNanos() <= 0) {
      throw new IllegalArgumentException("Task scheduled with [" + interval
          + "] delay, which means creating an infinite loop. The expected delay must be greater than 0.");
    }
    return checked(interval);
  }

  private static IllegalStateException shutDown() {
    String message = "cannot enqueue after timer shutdown";
    return new IllegalStateException(message, new SchedulerException(message));
  }

  /** One scheduled task, and what cancels it. */
  private final class Timer implements Cancellable, Runnable {
    final Runnable task;
    final ExecutionContext executor;
    final long interval; // 0: once
    final AtomicInteger state = new AtomicInteger(SCHEDULED);
    private final AtomicReference<ScheduledFuture<?>> pending = new AtomicReference<>();
    private final boolean runsOnClose;
    private long due; // a repeating task's next due time; only its own runs touch it after arm

    Timer(Runnable task, ExecutionContext executor, long interval) {
      this.task = task;
      this.executor = executor;
      this.interval = interval;
      this.runsOnClose = interval == 0 && task instanceof Scheduler.TaskRunOnClose; // as Pekko's: one-off tasks only
    }

    Timer arm(long delayNanos) {
      if (runsOnClose) runOnClose.add(this);
      due = System.nanoTime() + delayNanos;
      enqueue(delayNanos == 0, true);
      return this;
    }

    /** Queues the next run: at once, or at the grid point of {@code due}, the clock read last. */
    private void enqueue(boolean atOnce, boolean first) {
      ScheduledFuture<?> f;
      try {
        long delay = atOnce ? 0 : gridPoint(due, origin, gridNanos) - System.nanoTime();
        f = timer.schedule(this, Math.max(0, delay), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        if (runsOnClose) runOnClose.remove(this);
        if (state.compareAndSet(SCHEDULED, CANCELLED)) throw shutDown();
        return; // close() ran it already
      }
      // A first run may already have armed the next one: never put its future back over it.
      if (first) pending.compareAndSet(null, f);
      else pending.set(f);
      if (state.get() == CANCELLED) f.cancel(false); // cancelled while being enqueued
    }

    /** On the timer thread: hand the task to its executor. */
    @Override
    public void run() {
      if (interval == 0) {
        if (!state.compareAndSet(SCHEDULED, EXECUTED)) return;
        if (runsOnClose) runOnClose.remove(this);
        execute(task);
      } else if (state.get() == SCHEDULED && !execute(this::runAndRearm)) {
        state.compareAndSet(SCHEDULED, EXECUTED); // its executor refused: the timer ends
      }
    }

    private boolean execute(Runnable r) {
      try {
        executor.execute(r);
        return true;
      } catch (RuntimeException e) {
        executor.reportFailure(e);
        return false;
      }
    }

    private void runAndRearm() {
      if (state.get() != SCHEDULED) return; // cancelled after it was handed over
      try {
        task.run();
      } catch (SchedulerException stopped) {
        state.compareAndSet(SCHEDULED, EXECUTED); // its target actor has stopped: so does the timer
        return;
      } catch (RuntimeException | Error e) {
        state.compareAndSet(SCHEDULED, EXECUTED); // as Pekko's: a task that throws is not repeated
        throw e;
      }
      if (state.get() != SCHEDULED) return;
      due += interval;
      long now = System.nanoTime();
      if (due - now <= 0) due = now + 1; // behind after a slow run: the next grid point, never twice in one
      try {
        enqueue(false, false);
      } catch (IllegalStateException closed) {
        // the actor system is stopping
      }
    }

    @Override
    public boolean cancel() {
      if (!state.compareAndSet(SCHEDULED, CANCELLED)) return false;
      if (runsOnClose) runOnClose.remove(this);
      ScheduledFuture<?> p = pending.get();
      if (p != null) p.cancel(false);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return state.get() == CANCELLED;
    }
  }
}
