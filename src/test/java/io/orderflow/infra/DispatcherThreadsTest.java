package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatchers orderflow runs futures on keep their threads between sparse uses. Pekko would
 * stop a dispatcher without actors one second after its last task, and end a pool thread after
 * keep-alive-time without one; either way the next task (on an idle node: every gauge refresh)
 * starts a new thread.
 */
class DispatcherThreadsTest {
  private static final String[] DISPATCHERS = {"orderflow.jdbc-dispatcher",
      "pekko.actor.default-blocking-io-dispatcher", "pekko.projection.jdbc.blocking-jdbc-dispatcher"};

  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.coordinated-shutdown.exit-jvm = off
      """)
      // Pekko's 60 s keep-alive, shortened so that a thread that may time out does so within the test.
      .withFallback(ConfigFactory.parseString(Arrays.stream(DISPATCHERS)
          .map(d -> d + ".thread-pool-executor.keep-alive-time = 1s").collect(Collectors.joining("\n"))))
      .withFallback(ConfigFactory.load()));

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void futureDispatchersKeepTheirThreadsThroughAnIdleGap() throws Exception {
    Thread[] used = new Thread[DISPATCHERS.length];
    for (int i = 0; i < DISPATCHERS.length; i++) used[i] = threadOf(DISPATCHERS[i]);
    // Longer than the keep-alive above and than Pekko's default shutdown-timeout (1 s).
    Thread.sleep(2_500);
    for (int i = 0; i < DISPATCHERS.length; i++) {
      assertTrue(used[i].isAlive(), DISPATCHERS[i] + ": its thread " + used[i].getName() + " ended while idle");
    }
  }

  private Thread threadOf(String dispatcher) throws Exception {
    var executor = testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig(dispatcher));
    return CompletableFuture.supplyAsync(Thread::currentThread, executor).get(5, TimeUnit.SECONDS);
  }
}
