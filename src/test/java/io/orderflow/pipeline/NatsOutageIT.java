package io.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NATS goes away while orders are accepted; when it is back, nothing is lost and nothing doubled. */
class NatsOutageIT {

  @Test
  void ordersAcceptedWhileNatsIsDownAllReachTheirFinalStateWithEachEventOnceInTheStream() throws Exception {
    try (TestDatabase db = TestDatabase.create();
        TestNats nats = new TestNats();
        TestNode node = TestNode.start(db, nats.url())) {
      Map<String, String> expected = new HashMap<>();
      // Some orders before the outage, some during it.
      for (int i = 0; i < 3; i++) post(node, expected, i);
      nats.stop();
      // /ready takes the node out of a load balancer while NATS is gone, and back when it returns.
      Eventually.await(Duration.ofSeconds(10), "/ready non-200 without NATS", () -> ready(node) != 200);
      for (int i = 3; i < 15; i++) post(node, expected, i);
      Thread.sleep(3000); // the publisher and the workers fail and back off meanwhile
      nats.start();
      Eventually.await(Duration.ofSeconds(20), "/ready 200 with NATS back", () -> ready(node) == 200);

      Fixtures.assertEachFinishedOnce(node.url(""), db, nats, expected, Duration.ofSeconds(60));
      assertEquals(expected.values().stream().mapToInt(s -> Fixtures.eventsFor(s).size()).sum(),
          nats.messages("order").size(), "nothing else in the stream");
      ReadModelCheck.assertReadModelEqualsJournalReplay(node.node.system(), db);
    }
  }

  private static int ready(TestNode node) throws Exception {
    return Http.get("http://127.0.0.1:" + node.managementPort + "/ready").status();
  }

  private static void post(TestNode node, Map<String, String> expected, int i) throws Exception {
    String body = i % 3 == 0 ? Fixtures.declinable(null) : i % 3 == 1 ? Fixtures.rejectable(null) : Fixtures.approvable(null);
    String status = i % 3 == 0 ? "Declined" : i % 3 == 1 ? "Rejected" : "Approved";
    Http.Reply r = Http.post(node.url("/api/orders"), body);
    assertEquals(201, r.status(), r.body());
    expected.put(r.json().get("order_id").asText(), status);
  }
}
