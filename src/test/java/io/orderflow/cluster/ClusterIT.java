package io.orderflow.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as three JVMs from the built jar, on one PostgreSQL and one nats-server: they form
 * one cluster, share the work, and lose nothing when one of them is killed with SIGKILL.
 */
class ClusterIT {

  static List<String> upMembers(JarNode node) throws Exception {
    JsonNode members = Http.get("http://127.0.0.1:" + node.managementPort + "/cluster/members").json().get("members");
    List<String> up = new ArrayList<>();
    for (JsonNode m : members) if (m.get("status").asText().equals("Up")) up.add(m.get("node").asText());
    return up;
  }

  @Test
  void threeNodesFormOneClusterShareOrdersAndSurviveASigkill() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      List<JarNode> nodes = new ArrayList<>();
      // Ports first: every node needs the seed list.
      int[] pekkoPorts = {io.orderflow.testing.Ports.free(), io.orderflow.testing.Ports.free(), io.orderflow.testing.Ports.free()};
      String seeds = java.util.Arrays.stream(pekkoPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
      for (int i = 0; i < 3; i++) {
        nodes.add(new JarNode("cluster-" + (i + 1), db, nats.url(),
            Map.of("SEED_NODES", seeds, "PEKKO_PORT", Integer.toString(pekkoPorts[i]))));
      }
      try {
        // Started in reverse order: the first seed node comes last.
        for (int i = 2; i >= 0; i--) nodes.get(i).start();
        for (JarNode n : nodes) n.awaitUp(Duration.ofSeconds(90));
        Eventually.await(Duration.ofSeconds(60), "three Up members", () -> upMembers(nodes.get(0)).size() == 3);

        // Orders posted to each node reach their final state.
        Map<String, String> expected = new ConcurrentHashMap<>();
        for (int i = 0; i < 9; i++) {
          JarNode n = nodes.get(i % 3);
          String id = "spread-" + i + "-" + UUID.randomUUID();
          post(n, id, i, expected);
        }
        assertEquals(9, expected.size(), "all nine accepted");
        for (String id : expected.keySet()) Fixtures.awaitFinal(nodes.get(0).url(""), id, Duration.ofSeconds(60));

        // Kill node 3 while clients post to the two others and to it.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger seq = new AtomicInteger(100);
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        for (int c = 0; c < 3; c++) {
          JarNode target = nodes.get(c);
          clients.submit(() -> {
            while (!stop.get()) {
              int i = seq.getAndIncrement();
              String id = "kill-" + i + "-" + UUID.randomUUID();
              attempted.add(id + "=" + statusFor(i));
              try {
                post(target, id, i, expected);
              } catch (Throwable e) {
                if (!target.isAlive()) return null;
              }
            }
            return null;
          });
        }
        Thread.sleep(3000);
        nodes.get(2).kill();
        Thread.sleep(4000);
        stop.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        Eventually.await(Duration.ofSeconds(60), "the killed node to be downed", () -> upMembers(nodes.get(0)).size() == 2);

        // Every journaled order is finished by the survivors, once.
        Map<String, String> journaled = new java.util.HashMap<>(expected);
        journaled.putAll(Fixtures.journaled(db, attempted));
        assertTrue(Fixtures.journaled(db, attempted).keySet().containsAll(
            expected.keySet().stream().filter(id -> id.startsWith("kill-")).toList()), "every 201 is journaled");
        Fixtures.assertEachFinishedOnce(nodes.get(0).url(""), db, nats, journaled, Duration.ofSeconds(120));
        ReadModelCheck.assertReadModelEqualsEventsEndpoint(nodes.get(0).url(""), db, journaled.keySet());

        // The killed node comes back, rejoins and takes work again.
        JarNode restarted = new JarNode("cluster-3-restarted", db, nats.url(), nodes.get(2).env).start();
        nodes.set(2, restarted);
        restarted.awaitUp(Duration.ofSeconds(90));
        Eventually.await(Duration.ofSeconds(60), "three Up members again", () -> upMembers(nodes.get(0)).size() == 3);
        String back = "back-" + UUID.randomUUID();
        Map<String, String> more = new ConcurrentHashMap<>();
        post(restarted, back, 2, more);
        assertEquals("Approved", Fixtures.awaitFinal(restarted.url(""), back, Duration.ofSeconds(60)).get("status").asText());
        // New shards and rebalancing put orders on it (each check posts one more order).
        Eventually.await(Duration.ofSeconds(60), "the restarted node to host Order entities", () -> {
          post(restarted, "more-" + UUID.randomUUID(), 2, more);
          JsonNode local = Http.get("http://127.0.0.1:" + restarted.managementPort + "/cluster/shards/Order").json();
          return local.get("regions").size() > 0;
        });

        // Health endpoints, then a graceful stop: the node leaves and hands its shards over.
        JarNode second = nodes.get(1);
        assertEquals(200, Http.get("http://127.0.0.1:" + second.managementPort + "/alive").status());
        assertEquals(200, Http.get("http://127.0.0.1:" + second.managementPort + "/ready").status());
        second.stop();
        Eventually.await(Duration.ofSeconds(30), "the stopped node to leave", () -> upMembers(nodes.get(0)).size() == 2
            && Http.get("http://127.0.0.1:" + nodes.get(0).managementPort + "/cluster/members").json()
                .get("members").size() == 2);
        String after = "after-leave-" + UUID.randomUUID();
        post(nodes.get(0), after, 2, more);
        assertEquals("Approved", Fixtures.awaitFinal(nodes.get(0).url(""), after, Duration.ofSeconds(60))
            .get("status").asText());
      } finally {
        for (JarNode n : nodes) n.close();
      }
    }
  }

  static String statusFor(int i) {
    return i % 3 == 0 ? "Declined" : i % 3 == 1 ? "Rejected" : "Approved";
  }

  static void post(JarNode node, String id, int i, Map<String, String> accepted) throws Exception {
    String body = i % 3 == 0 ? Fixtures.declinable(id) : i % 3 == 1 ? Fixtures.rejectable(id) : Fixtures.approvable(id);
    Http.Reply r = Http.post(node.url("/api/orders"), body);
    if (r.status() == 201) accepted.put(id, statusFor(i));
    else if (r.status() != 503) throw new AssertionError("unexpected " + r.status() + ": " + r.body());
  }
}
