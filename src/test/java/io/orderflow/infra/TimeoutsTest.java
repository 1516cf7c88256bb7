package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A time limit on Pekko's scheduler gives what CompletableFuture.orTimeout would, and only when the limit is reached. */
class TimeoutsTest {
  static ActorTestKit testKit;
  static ManualTime time;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ManualTime.config()
        .withFallback(com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local")));
    time = ManualTime.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anAnswerInTimeIsPassedOn() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> limited = Timeouts.within(answer, Duration.ofSeconds(2), testKit.system());
    time.timePasses(Duration.ofMillis(1999));
    assertFalse(limited.isDone(), "not yet at the limit");
    answer.complete("done");
    assertEquals("done", limited.getNow(null));
    time.timePasses(Duration.ofSeconds(5));
    assertEquals("done", limited.getNow(null));
  }

  @Test
  void noAnswerFailsWithATimeoutAtTheLimit() throws Exception {
    CompletableFuture<String> limited = Timeouts.within(new CompletableFuture<String>(), Duration.ofSeconds(2),
        testKit.system());
    time.timePasses(Duration.ofMillis(1999));
    assertFalse(limited.isDone());
    time.timePasses(Duration.ofMillis(1));
    Throwable e = awaitFailure(limited);
    assertInstanceOf(TimeoutException.class, e);
    assertTrue(e.getMessage().contains("2000 ms"), e.getMessage());
  }

  @Test
  void aFailureInTimeIsPassedOnAsItIs() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> limited = Timeouts.within(answer, Duration.ofSeconds(2), testKit.system());
    IllegalStateException refused = new IllegalStateException("refused");
    answer.completeExceptionally(refused);
    assertSame(refused, awaitFailure(limited));
    time.timePasses(Duration.ofSeconds(5));
    assertSame(refused, awaitFailure(limited), "the timer does not replace the failure");
  }

  /** The timer completes the future on a dispatcher thread: wait for it, a little. */
  private static Throwable awaitFailure(CompletableFuture<?> f) throws Exception {
    try {
      Object value = f.get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no outcome within 5 s", e);
    }
  }
}
