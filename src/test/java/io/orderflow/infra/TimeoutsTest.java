package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  void noAnswerFailsWithATimeoutAtTheLimit() {
    CompletableFuture<String> limited = Timeouts.within(new CompletableFuture<String>(), Duration.ofSeconds(2),
        testKit.system());
    time.timePasses(Duration.ofMillis(1999));
    assertFalse(limited.isDone());
    time.timePasses(Duration.ofMillis(1));
    CompletionException e = awaitFailure(limited);
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("2000 ms"), e.getCause().getMessage());
  }

  @Test
  void aFailureInTimeIsPassedOnAsItIs() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> limited = Timeouts.within(answer, Duration.ofSeconds(2), testKit.system());
    IllegalStateException refused = new IllegalStateException("refused");
    answer.completeExceptionally(refused);
    assertSame(refused, awaitFailure(limited).getCause());
    time.timePasses(Duration.ofSeconds(5));
    assertSame(refused, awaitFailure(limited).getCause(), "the timer does not replace the failure");
  }

  /** The timer completes the future on a dispatcher thread: wait for it. */
  private static CompletionException awaitFailure(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (CompletionException e) {
      return e;
    }
    throw new AssertionError("expected a failure, got " + f.join());
  }
}
