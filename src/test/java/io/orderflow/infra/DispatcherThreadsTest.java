package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatchers orderflow runs futures on keep their threads between sparse uses: Pekko would
 * stop a dispatcher without actors one second after its last task, and start new threads for the
 * next (on an idle node: every gauge refresh).
 */
class DispatcherThreadsTest {
  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.remote.artery.canonical.port = 0
      pekko.coordinated-shutdown.exit-jvm = off
      """).withFallback(ConfigFactory.load()));

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void futureDispatchersKeepTheirThreadsThroughAnIdleGap() throws Exception {
    String[] ids = {"orderflow.jdbc-dispatcher", "pekko.actor.default-blocking-io-dispatcher",
        "pekko.projection.jdbc.blocking-jdbc-dispatcher"};
    Thread[] used = new Thread[ids.length];
    for (int i = 0; i < ids.length; i++) used[i] = threadOf(ids[i]);
    // Longer than Pekko's default shutdown-timeout (1 s), which the node's settings raise.
    Thread.sleep(2_000);
    for (int i = 0; i < ids.length; i++) {
      assertTrue(used[i].isAlive(), ids[i] + ": its thread " + used[i].getName() + " ended while idle");
    }
  }

  private Thread threadOf(String dispatcher) throws Exception {
    var executor = testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig(dispatcher));
    return CompletableFuture.supplyAsync(Thread::currentThread, executor).get(5, TimeUnit.SECONDS);
  }
}
