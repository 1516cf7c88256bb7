package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContextExecutor;
import scala.concurrent.ExecutionContextExecutorService;
import scala.concurrent.duration.FiniteDuration;

/** The scheduler the node runs with: what Pekko's timers rely on, on real threads and clocks. */
class TicklessSchedulerTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "executor-under-test"));
  private final ExecutionContextExecutorService executor = ExecutionContexts.fromExecutorService(pool);
  private final TicklessScheduler scheduler = new TicklessScheduler(ConfigFactory.defaultReference(),
      NoLogging.getInstance(), r -> new Thread(r, "timer-under-test"));

  @AfterEach
  void stop() {
    scheduler.close();
    pool.shutdownNow();
  }

  @Test
  void aTaskRunsOnceOnItsExecutorNotBeforeItIsDue() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    List<String> threads = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    long[] at = new long[1];
    Cancellable c = scheduler.scheduleOnce(millis(100), () -> {
      at[0] = System.nanoTime();
      threads.add(Thread.currentThread().getName());
      ran.countDown();
    }, executor);
    assertTrue(ran.await(5, TimeUnit.SECONDS), "the task ran");
    assertTrue(at[0] - start >= TimeUnit.MILLISECONDS.toNanos(100), "not before its delay");
    assertEquals(List.of("executor-under-test"), threads);
    assertFalse(c.cancel(), "a task that ran cannot be cancelled");
    assertFalse(c.isCancelled());
  }

  @Test
  void dueTimesAreRoundedUpToTheGrid() {
    long origin = 1_000, grid = 20;
    assertEquals(1_020, TicklessScheduler.gridPoint(1_015, origin, grid));
    assertEquals(1_020, TicklessScheduler.gridPoint(1_001, origin, grid));
    assertEquals(1_020, TicklessScheduler.gridPoint(1_020, origin, grid), "on a grid point: not later");
    assertEquals(1_040, TicklessScheduler.gridPoint(1_021, origin, grid), "never earlier than due");
    assertEquals(origin, TicklessScheduler.gridPoint(origin, origin, grid));
    // System.nanoTime() may wrap: only differences count.
    long late = Long.MAX_VALUE - 5;
    assertEquals(late + 40, TicklessScheduler.gridPoint(late + 30, late, grid));
    long far = Integer.MAX_VALUE * 10_000_000L; // the longest delay allowed
    assertEquals(far + grid, TicklessScheduler.gridPoint(late + far + 1, late, grid) - late);
  }

  @Test
  void timersDueWithinOneGridStepAreHandedOverInOneWakeUp() throws Exception {
    TicklessScheduler coarse = new TicklessScheduler(ConfigFactory.parseString("pekko.scheduler.tick-duration = 200ms")
        .withFallback(ConfigFactory.defaultReference()), NoLogging.getInstance(), r -> new Thread(r, "coarse-timer"));
    try {
      List<Long> handedOver = new CopyOnWriteArrayList<>();
      CountDownLatch both = new CountDownLatch(2);
      ExecutionContextExecutor recording = ExecutionContexts.fromExecutor(r -> {
        handedOver.add(System.nanoTime()); // on the timer thread, at the hand-over
        pool.execute(r);
      });
      // Run just after a grid point, then schedule two tasks due 5 and 60 ms later: both before
      // the next grid point, 200 ms on, so one wake-up hands both over.
      coarse.scheduleOnce(millis(1), () -> {
        coarse.scheduleOnce(millis(5), both::countDown, recording);
        coarse.scheduleOnce(millis(60), both::countDown, recording);
      }, executor);
      assertTrue(both.await(5, TimeUnit.SECONDS), "both ran");
      long apart = Math.abs(handedOver.get(1) - handedOver.get(0));
      assertTrue(apart < TimeUnit.MILLISECONDS.toNanos(30), "handed over " + apart / 1_000_000 + " ms apart");
    } finally {
      coarse.close();
    }
  }

  @Test
  void aCancelledTaskNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Cancellable c = scheduler.scheduleOnce(millis(300), runs::incrementAndGet, executor);
    assertTrue(c.cancel());
    assertTrue(c.isCancelled());
    assertFalse(c.cancel(), "cancelled once");
    CountDownLatch later = new CountDownLatch(1); // due after the cancelled one
    scheduler.scheduleOnce(millis(400), later::countDown, executor);
    assertTrue(later.await(5, TimeUnit.SECONDS));
    assertEquals(0, runs.get());
  }

  @Test
  void aRepeatingTaskRepeatsWithoutOverlappingItselfUntilCancelled() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    CountDownLatch five = new CountDownLatch(5);
    // Each run takes longer than the interval: the next one waits for it.
    Cancellable c = scheduler.scheduleAtFixedRate(millis(0), millis(5), () -> {
      started.incrementAndGet();
      if (running.incrementAndGet() > 1) overlaps.incrementAndGet();
      sleep(20);
      running.decrementAndGet();
      five.countDown();
    }, executor);
    assertTrue(five.await(5, TimeUnit.SECONDS), "five runs");
    assertTrue(c.cancel());
    int atCancel = started.get();
    Thread.sleep(300);
    assertTrue(started.get() <= atCancel + 1, "at most a run already under way after the cancel: "
        + atCancel + " then " + started.get());
    assertEquals(0, overlaps.get(), "never two runs at once");
    assertFalse(c.cancel(), "cancelled once");
  }

  @Test
  void aFixedDelayTaskRepeatsAndAZeroDelayIsRefused() throws Exception {
    CountDownLatch three = new CountDownLatch(3);
    Cancellable c = scheduler.scheduleWithFixedDelay(millis(0), millis(10), three::countDown, executor);
    assertTrue(three.await(5, TimeUnit.SECONDS), "three runs");
    assertTrue(c.cancel());
    assertThrows(IllegalArgumentException.class,
        () -> scheduler.scheduleWithFixedDelay(millis(0), millis(0), () -> { }, executor));
    assertThrows(IllegalArgumentException.class,
        () -> scheduler.scheduleAtFixedRate(millis(0), millis(0), () -> { }, executor));
  }

  @Test
  void aRepeatingTaskStopsWhenItThrowsAndQuietlyWhenItsTargetStopped() throws Exception {
    for (RuntimeException thrown : List.of(new IllegalStateException("a failing task"),
        new SchedulerException("timer active for terminated actor"))) { // what Pekko's actor-target task throws
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch ended = new CountDownLatch(1);
      ExecutionContextExecutor counting = ExecutionContexts.fromExecutor(r -> pool.execute(() -> {
        try {
          r.run();
        } finally {
          ended.countDown(); // after the timer saw the throw
        }
      }));
      Cancellable c = scheduler.scheduleAtFixedRate(millis(0), millis(10), () -> {
        runs.incrementAndGet();
        throw thrown;
      }, counting);
      assertTrue(ended.await(5, TimeUnit.SECONDS), "the first run");
      assertFalse(c.cancel(), thrown + ": a timer that ended cannot be cancelled");
      Thread.sleep(100);
      assertEquals(1, runs.get(), thrown + ": not repeated");
    }
  }

  @Test
  void closingRunsThePendingTasksMarkedToRunOnCloseAndNoOthers() {
    AtomicInteger onClose = new AtomicInteger();
    AtomicInteger plain = new AtomicInteger();
    scheduler.scheduleOnce(millis(60_000), (Scheduler.TaskRunOnClose) onClose::incrementAndGet, executor);
    scheduler.scheduleOnce(millis(60_000), plain::incrementAndGet, executor);
    Cancellable cancelled = scheduler.scheduleOnce(millis(60_000),
        (Scheduler.TaskRunOnClose) onClose::incrementAndGet, executor);
    cancelled.cancel();
    scheduler.close();
    assertEquals(1, onClose.get(), "the pending one marked to run on close, not the cancelled one");
    assertEquals(0, plain.get());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> scheduler.scheduleOnce(millis(1), plain::incrementAndGet, executor));
    assertTrue(e.getMessage().contains("after timer shutdown"), e.getMessage());
    // Pekko's own fixed-delay timers stop quietly on this cause, as with its wheel.
    assertInstanceOf(SchedulerException.class, e.getCause());
  }

  @Test
  void pekkoRunsOnItTimersAndAskTimeoutsIncluded() throws Exception {
    ActorTestKit kit = ActorTestKit.create("tickless", ConfigFactory.parseString(
        "pekko.actor.provider = local\n"
            + "pekko.scheduler.implementation = \"" + TicklessScheduler.class.getName() + "\""));
    try {
      assertInstanceOf(TicklessScheduler.class, kit.system().classicSystem().scheduler());
      ActorRef<String> timed = kit.spawn(Behaviors.<String>withTimers(timers -> Behaviors.receive(String.class)
          .onMessageEquals("start", () -> {
            timers.startSingleTimer("tick", Duration.ofMillis(50));
            return Behaviors.same();
          })
          .onMessageEquals("tick", () -> Behaviors.stopped())
          .build()));
      timed.tell("start");
      kit.createTestProbe().expectTerminated(timed, Duration.ofSeconds(5));

      ActorRef<String> silent = kit.spawn(Behaviors.ignore());
      CompletionStage<String> answer = AskPattern.ask(silent, replyTo -> "hello", Duration.ofMillis(100),
          kit.scheduler());
      Throwable failure = answer.handle((ok, error) -> error).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertInstanceOf(java.util.concurrent.TimeoutException.class, failure, "the ask timed out");
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static FiniteDuration millis(long ms) {
    return FiniteDuration.create(ms, TimeUnit.MILLISECONDS);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
