package io.orderflow.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.infra.NewPersistenceIds;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.Ports;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * The original's one-service-per-process layout: an HTTP-only node in front, the entities,
 * publisher and workers on another. An order taken by the front node is created on the back
 * node through sharding and goes all the way through. With two nodes that both host orders, no
 * order id is trusted to be new: every recovery asks the database ({@code NewPersistenceIds}).
 */
class RolesIT {

  @Test
  void httpOnlyNodeReachesEntitiesAndWorkersOnAnotherNode() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      int backPort = Ports.free();
      String seed = "127.0.0.1:" + backPort;
      try (TestNode back = TestNode.start(db, nats.url(), Map.of("pekko.remote.artery.canonical.port", backPort,
              "orderflow.seed-nodes", seed, "orderflow.roles", "shard,publisher,payment,review,stream-processor"));
          TestNode front = TestNode.start(db, nats.url(), Map.of("orderflow.seed-nodes", seed, "orderflow.roles", "http"))) {
        Eventually.await(Duration.ofSeconds(30), "two members Up", () ->
            Cluster.get(back.node.system()).state().getMembers().spliterator().estimateSize() == 2);
        assertTrue(Cluster.get(front.node.system()).selfMember().getRoles().contains("http"));
        assertFalse(Cluster.get(front.node.system()).selfMember().getRoles().contains("shard"));

        Http.Reply r = Http.post(front.url("/api/orders"), Fixtures.approvable(null));
        assertEquals(201, r.status(), r.body());
        String id = r.json().get("order_id").asText();
        assertEquals("Approved", Fixtures.awaitFinal(front.url(""), id, Duration.ofSeconds(30)).get("status").asText());
        // The back node serves no HTTP: its role set has none.
        try {
          Http.get(back.url("/api/orders/" + id));
          throw new AssertionError("the back node answered HTTP");
        } catch (ConnectException expected) {
          // nothing listens there
        }
      }
    }
  }

  @Test
  void withTwoNodesHostingOrdersEveryRecoveryAsksTheDatabase() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      int firstPort = Ports.free();
      String seed = "127.0.0.1:" + firstPort;
      try (TestNode first = TestNode.start(db, nats.url(), Map.of("pekko.remote.artery.canonical.port", firstPort,
              "orderflow.seed-nodes", seed));
          TestNode second = TestNode.start(db, nats.url(), Map.of("orderflow.seed-nodes", seed))) {
        Eventually.await(Duration.ofSeconds(30), "two members Up", () ->
            Cluster.get(first.node.system()).state().getMembers().spliterator().estimateSize() == 2);
        for (int i = 0; i < 10; i++) {
          Http.Reply r = Http.post(first.url("/api/orders"), Fixtures.approvable(null));
          assertEquals(201, r.status(), r.body());
        }
        // Either node may host an order, and an order's entity may move: no id is trusted to be new.
        assertEquals(0, NewPersistenceIds.get(first.node.system()).taken()
            + NewPersistenceIds.get(second.node.system()).taken(), "recoveries that skipped the query");
      }
    }
  }
}
