package io.orderflow.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamConfiguration;
import io.orderflow.testing.TestNats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The publishers ({@link EventSink}) set no timer of their own on a publish: jnats fails one the
 * stream never acknowledges, after its request cleanup interval (5 to 10 s with its defaults, which
 * the node keeps). Without that, a publish lost to a hung broker would hold the
 * projection's batch, and the fast path's publish, forever.
 */
class UnansweredPublishIT {

  /** jnats' default is 5 s, checked every 5 s; a shorter one keeps the test short. */
  static final Duration CLEANUP = Duration.ofSeconds(1);

  @Test
  void aPublishAHungBrokerNeverAcknowledgesFailsByItself() throws Exception {
    try (TestNats nats = new TestNats();
        Connection nc = Nats.connect(Options.builder().server(nats.url()).requestCleanupInterval(CLEANUP).build())) {
      nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("unanswered").subjects("unanswered.>").build());
      JetStream js = nc.jetStream();
      assertEquals(1, js.publishAsync("unanswered.a", bytes("a")).get(5, TimeUnit.SECONDS).getSeqno());
      nats.freeze();
      try {
        long start = System.nanoTime();
        CompletableFuture<PublishAck> unanswered = js.publishAsync("unanswered.b", bytes("b"));
        // A get that times out itself throws TimeoutException, which fails this assertion.
        ExecutionException e = assertThrows(ExecutionException.class, () -> unanswered.get(10, TimeUnit.SECONDS));
        assertInstanceOf(CancellationException.class, e.getCause(), "jnats cancels it as timed out");
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("unanswered publish failed after %d ms%n", ms);
        assertTrue(ms >= CLEANUP.toMillis() - 100, "not before the request timeout: " + ms + " ms");
      } finally {
        nats.thaw();
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
