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
 * each wake-up costs about 0.1 ms of CPU, a quarter of what an idle node spends. Behaves as
 * Pekko's does: a task runs on the executor it was scheduled with, a repeating one is due again
 * an interval after its last due time (never overlapping itself) and stops when it throws, and
 * {@link Scheduler.TaskRunOnClose} tasks still pending run when the actor system stops.
 */
public final class TicklessScheduler implements Scheduler, Closeable {
  private static final int SCHEDULED = 0;
  private static final int EXECUTED = 1;
  private static final int CANCELLED = 2;

  private final ScheduledThreadPoolExecutor timer;
  private final LoggingAdapter log;
  private final Set<Timer> runOnClose = ConcurrentHashMap.newKeySet();

  /** The constructor Pekko calls: (config, log, thread factory). */
  public TicklessScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.log = log;
    this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
    // Every ask schedules its timeout and cancels it when answered: drop those from the queue.
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable task, ExecutionContext executor) {
    return new Timer(task, executor, 0).arm(delay.toNanos());
  }

  @Override
  public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable task,
      ExecutionContext executor) {
    if (interval.toNanos() <= 0) {
      throw new IllegalArgumentException("a repeating task needs an interval above 0, not " + interval);
    }
    return new Timer(task, executor, interval.toNanos()).arm(initialDelay.toNanos());
  }

  /** Timers are kept in nanoseconds; the operating system wakes the thread to about a millisecond. */
  @Override
  public double maxFrequency() {
    return 1000;
  }

  @Override
  public void close() {
    timer.shutdownNow();
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

  /** One scheduled task, and what cancels it. */
  private final class Timer implements Cancellable, Runnable {
    final Runnable task;
    final ExecutionContext executor;
    final long interval; // 0: once
    final AtomicInteger state = new AtomicInteger(SCHEDULED);
    private long due; // a repeating task's next due time; only its own runs touch it
    private volatile ScheduledFuture<?> pending;

    Timer(Runnable task, ExecutionContext executor, long interval) {
      this.task = task;
      this.executor = executor;
      this.interval = interval;
    }

    Timer arm(long delayNanos) {
      if (task instanceof Scheduler.TaskRunOnClose) runOnClose.add(this);
      due = System.nanoTime() + Math.max(0, delayNanos);
      enqueue(delayNanos);
      return this;
    }

    private void enqueue(long delayNanos) {
      try {
        pending = timer.schedule(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        runOnClose.remove(this);
        throw new IllegalStateException("cannot enqueue after timer shutdown", e);
      }
      if (state.get() == CANCELLED) pending.cancel(false); // cancelled while being enqueued
    }

    /** On the timer thread: hand the task to its executor. */
    @Override
    public void run() {
      if (interval == 0) {
        if (!state.compareAndSet(SCHEDULED, EXECUTED)) return;
        runOnClose.remove(this);
        execute(task);
      } else if (state.get() == SCHEDULED) {
        execute(this::runAndRearm);
      }
    }

    private void execute(Runnable r) {
      try {
        executor.execute(r);
      } catch (RuntimeException e) {
        executor.reportFailure(e);
      }
    }

    private void runAndRearm() {
      try {
        task.run();
      } catch (SchedulerException stopped) {
        state.set(EXECUTED); // its target actor has stopped: so does the timer
        runOnClose.remove(this);
        return;
      }
      if (state.get() != SCHEDULED) return;
      due += interval;
      try {
        enqueue(Math.max(due - System.nanoTime(), 1));
      } catch (IllegalStateException shutDown) {
        // the actor system is stopping
      }
    }

    @Override
    public boolean cancel() {
      if (!state.compareAndSet(SCHEDULED, CANCELLED)) return false;
      runOnClose.remove(this);
      ScheduledFuture<?> p = pending;
      if (p != null) p.cancel(false);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return state.get() == CANCELLED;
    }
  }
}
