package io.orderflow.infra;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registering a blocking stop step with the node's coordinated shutdown. */
public final class Shutdown {
  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  private Shutdown() {}

  /** A stop step that may block (joins a thread, closes a connection). */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** Runs {@code step} in {@code phase}, off the actor threads; a failing step is logged, never fatal. */
  public static void task(ActorSystem<?> system, String phase, String name, Step step) {
    CoordinatedShutdown.get(system).addTask(phase, name, () -> CompletableFuture.supplyAsync(() -> {
      try {
        step.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.warn("Shutdown step {} failed: {}", name, e.toString());
      }
      return Done.getInstance();
    }));
  }
}
