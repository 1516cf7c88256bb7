package io.orderflow.infra;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Time limits on futures, on Pekko's scheduler. {@link CompletableFuture#orTimeout} arms a timer
 * on the JDK's own scheduler thread; on JDK 25 that thread is woken to arm each timer and again to
 * cancel it: 822 times a second at 200 orders/s (docs/PERFORMANCE.md, item 16). Arming a timer on
 * Pekko's scheduler ({@link TicklessScheduler}), or cancelling it, wakes nothing.
 */
public final class Timeouts {
  private Timeouts() {}

  /**
   * {@code stage}'s outcome, or a {@link TimeoutException} if it has none within {@code limit}, as
   * {@code orTimeout} would give. The timer is cancelled as soon as {@code stage} completes.
   */
  public static <T> CompletableFuture<T> within(CompletionStage<T> stage, Duration limit, ActorSystem<?> system) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Cancellable timer = system.scheduler().scheduleOnce(limit,
        () -> result.completeExceptionally(new TimeoutException("no answer within " + limit.toMillis() + " ms")),
        system.executionContext());
    stage.whenComplete((value, error) -> {
      timer.cancel();
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(error);
      }
    });
    return result;
  }
}
