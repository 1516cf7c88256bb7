package io.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamInfo;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.Load;
import io.orderflow.testing.Ports;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNatsCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (the built jar) on a cluster of three nats-servers with NATS_REPLICAS=3. The server
 * that node a is connected to, and that leads the stream and every consumer, is killed with
 * kill -9 under load: node a (orders and publisher only) fails over to another server of its
 * NATS_URL; node b (orders, publisher and every worker) keeps its connection but loses its pulls
 * and the leaders it published to. Every accepted order still finishes, each event is once in the
 * stream, and neither node is restarted.
 */
class ReplicatedBrokerIT {
  static final List<String> CONSUMERS = List.of("paymentsvc", "reviewsvc", "stream-processor");

  @Test
  void killingAnyOneNatsServerUnderLoadCostsNothing() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNatsCluster nats = new TestNatsCluster()) {
      int[] pekkoPorts = {Ports.free(), Ports.free()};
      String seeds = "127.0.0.1:" + pekkoPorts[0] + ",127.0.0.1:" + pekkoPorts[1];
      Map<String, String> envA = new HashMap<>(env(seeds, pekkoPorts[0]));
      envA.put("ROLES", "shard,http,grpc,publisher");
      JarNode a = new JarNode("broker-a", db, nats.url(), envA);
      JarNode b = null;
      try {
        a.start();
        // The victim is the server node a is connected to; node b gets a NATS_URL without it.
        String nameOfA = "pekko://orderflow@127.0.0.1:" + pekkoPorts[0];
        int[] victim = {-1};
        Eventually.await(Duration.ofSeconds(90), "node a's NATS connection", () -> {
          if (!a.isAlive()) throw new AssertionError("node a exited");
          victim[0] = nats.serverOf(nameOfA);
          return victim[0] >= 0;
        });
        b = new JarNode("broker-b", db, nats.urlWithout(victim[0]), env(seeds, pekkoPorts[1])).start();
        a.awaitUp(Duration.ofSeconds(90));
        b.awaitUp(Duration.ofSeconds(90));

        try (Connection nc = nats.connect()) {
          JetStreamManagement jsm = nc.jetStreamManagement();
          StreamInfo order = jsm.getStreamInfo("order");
          assertEquals(3, order.getConfiguration().getReplicas(), "NATS_REPLICAS=3 made the stream R3");
          assertEquals(2, order.getClusterInfo().getReplicas().size(), "two followers");
          for (String c : CONSUMERS) {
            assertEquals(2, jsm.getConsumerInfo("order", c).getClusterInfo().getReplicas().size(), c + " followers");
          }
        }
        String victimName = nats.server(victim[0]).name();
        nats.leadOn(victim[0], "order", CONSUMERS);

        long killedAt;
        Map<String, String> accepted;
        Map<String, String> journaled;
        try (Load load = new Load("nats-kill", List.of(a.url(""), b.url("")), 2)) {
          Thread.sleep(3000);
          nats.kill(victim[0]);
          killedAt = System.nanoTime();
          Thread.sleep(8000);
          load.close();
          accepted = load.accepted();
          journaled = new HashMap<>(Fixtures.journaled(db, load.attempted()));
          assertTrue(load.acceptedAfter(killedAt) > 0, "orders accepted after the kill");
        }
        assertTrue(journaled.keySet().containsAll(accepted.keySet()), "every 201 is journaled");

        // Every journaled order finishes, by the same two processes, with each event once in the stream.
        Fixtures.assertEachFinishedOnce(a.url(""), db, nats, journaled, Duration.ofSeconds(90));
        long finishedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("ReplicatedBrokerIT: %d orders accepted (%d journaled), all finished %d ms after the "
            + "kill -9 of %s%n", accepted.size(), journaled.size(), finishedAfterMs, victimName);
        assertTrue(a.isAlive() && b.isAlive(), "no node restarted");
        assertTrue(a.log().contains("NATS reconnected"), "node a failed over to another server");

        // The stream is still R3, led by a survivor, and takes new orders end to end.
        Map<String, String> leaders = nats.leaders("order", CONSUMERS);
        leaders.forEach((what, leader) -> assertNotEquals(victimName, leader, what + " has a new leader"));
        String last = "after-kill-" + java.util.UUID.randomUUID();
        assertEquals(201, io.orderflow.testing.Http.post(b.url("/api/orders"), Fixtures.approvable(last)).status());
        assertEquals("Approved", Fixtures.awaitFinal(b.url(""), last, Duration.ofSeconds(60)).get("status").asText());
      } finally {
        a.close();
        if (b != null) b.close();
      }
    }
  }

  static Map<String, String> env(String seeds, int pekkoPort) {
    return Map.of("SEED_NODES", seeds, "PEKKO_PORT", Integer.toString(pekkoPort), "NATS_REPLICAS", "3");
  }
}
