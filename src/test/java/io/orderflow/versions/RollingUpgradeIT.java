package io.orderflow.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.Ports;
import io.orderflow.testing.PreviousVersion;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade from the previous version (src/test/resources/node-v1) to this one, with real
 * nodes as child processes on one PostgreSQL and one nats-server: a node of each version in one
 * cluster, each serving orders whose entities live on the other (commands and replies cross
 * versions), each recovering entities from events the other wrote; refunds switched off while the
 * old node runs (it cannot read them), then on once the upgrade is complete, when every order
 * rejected meanwhile is refunded.
 */
class RollingUpgradeIT {
  static final Duration UP = Duration.ofSeconds(120);

  record Posted(String id, String body, String status, JarNode to) {}

  static String body(int i, String id) {
    return switch (i % 3) {
      case 0 -> Fixtures.approvable(id);
      case 1 -> Fixtures.declinable(id);
      default -> Fixtures.rejectable(id);
    };
  }

  static String statusOf(int i) {
    return switch (i % 3) {
      case 0 -> "Approved";
      case 1 -> "Declined";
      default -> "Rejected";
    };
  }

  /** The shards of Order the node hosts. */
  static Set<String> localShards(JarNode node) throws Exception {
    JsonNode regions = Http.get("http://127.0.0.1:" + node.managementPort + "/cluster/shards/Order").json().get("regions");
    Set<String> shards = new HashSet<>();
    for (JsonNode r : regions) shards.add(r.get("shardId").asText());
    return shards;
  }

  /** Pekko's default shard of an entity id (number-of-shards 1000). */
  static String shardOf(String id) {
    return Integer.toString(Math.abs(id.hashCode() % 1000));
  }

  static int upMembers(JarNode node) throws Exception {
    int up = 0;
    for (JsonNode m : Http.get("http://127.0.0.1:" + node.managementPort + "/cluster/members").json().get("members")) {
      if (m.get("status").asText().equals("Up")) up++;
    }
    return up;
  }

  static String createdManifest(TestDatabase db, String id) throws Exception {
    return (String) db.rows("SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ? AND sequence_number = 1",
        "Order|" + id).get(0).get(0);
  }

  @Test
  void oldAndNewNodesSideBySideThenTheUpgradeCompletes() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      int oldPort = Ports.free();
      String seed = "127.0.0.1:" + oldPort;
      JarNode old = new JarNode("upgrade-v1", db, nats.url(),
          Map.of("SEED_NODES", seed, "PEKKO_PORT", Integer.toString(oldPort)))
          .fromClasspath(PreviousVersion.classpath());
      // During the upgrade the new nodes hold refunds back: the old node could not read them.
      JarNode mixed = new JarNode("upgrade-v2-beside-v1", db, nats.url(), Map.of("SEED_NODES", seed,
          "PAYMENT_REFUNDS", "off"));
      int newPort = Ports.free();
      JarNode upgraded = new JarNode("upgrade-v2", db, nats.url(), Map.of("SEED_NODES", "127.0.0.1:" + newPort,
          "PEKKO_PORT", Integer.toString(newPort)));
      try {
        old.start().awaitUp(UP);
        mixed.start().awaitUp(UP);
        Eventually.await(UP, "the two versions in one cluster", () -> upMembers(old) == 2 && upMembers(mixed) == 2);

        // Which version answers: the old order JSON has no currency.
        Map<String, Posted> orders = new LinkedHashMap<>();
        boolean[] crossed = new boolean[2]; // [old node → entity on new node, new node → entity on old node]
        int[] n = {0};
        Eventually.await(UP, "each node to serve an order whose entity lives on the other", () -> {
          for (JarNode to : List.of(old, mixed)) {
            int i = n[0]++;
            String id = "up-" + i + "-" + UUID.randomUUID();
            Http.Reply r = Http.post(to.url("/api/orders"), body(i, id));
            assertEquals(201, r.status(), r.body());
            assertEquals(to == mixed, r.json().has("currency"), "the answer of the node's own version");
            orders.put(id, new Posted(id, body(i, id), statusOf(i), to));
          }
          Set<String> onOld = localShards(old);
          Set<String> onNew = localShards(mixed);
          for (Posted p : orders.values()) {
            if (p.to() == old && onNew.contains(shardOf(p.id()))) crossed[0] = true;
            if (p.to() == mixed && onOld.contains(shardOf(p.id()))) crossed[1] = true;
          }
          return crossed[0] && crossed[1] && orders.size() >= 6;
        });
        for (Posted p : orders.values()) {
          // A rejection waits for its refund until the upgrade is complete.
          String status = (p.status().equals("Rejected")
              ? Fixtures.awaitStatus(old.url(""), p.id(), "Rejected", UP)
              : Fixtures.awaitFinal(old.url(""), p.id(), UP)).get("status").asText();
          assertEquals(p.status(), status, p.id());
        }
        List<String> v1Created = new ArrayList<>();
        List<String> v2Created = new ArrayList<>();
        for (Posted p : orders.values()) {
          String manifest = createdManifest(db, p.id());
          (manifest.endsWith("#2") ? v2Created : v1Created).add(p.id());
        }
        assertFalse(v1Created.isEmpty(), "orders created by the old node");
        assertFalse(v2Created.isEmpty(), "orders created by the new node (version 2 of order.created)");
        assertEquals(0, db.count("SELECT count(*) FROM event_journal WHERE event_ser_manifest LIKE '%Refund%'"));

        // The new node leaves: the old one recovers every entity, also from the events the new one wrote.
        mixed.stop();
        Eventually.await(UP, "the old node alone", () -> upMembers(old) == 1);
        for (String id : v2Created) {
          Http.Reply again = Http.post(old.url("/api/orders"), orders.get(id).body());
          assertEquals(201, again.status(), "old node, order " + id + " written by the new one: " + again.body());
          assertEquals(orders.get(id).status(), again.json().get("status").asText());
          assertEquals(200, Http.get(old.url("/api/orders/" + id + "/events")).status());
        }

        // The upgrade completes: the old node goes, new nodes run with refunds on.
        old.stop();
        upgraded.start().awaitUp(UP);
        for (String id : v1Created) {
          Http.Reply again = Http.post(upgraded.url("/api/orders"), orders.get(id).body());
          assertEquals(201, again.status(), "new node, order " + id + " written by the old one: " + again.body());
          assertEquals("USD", again.json().get("currency").asText());
        }
        Map<String, String> expected = new LinkedHashMap<>();
        orders.values().forEach(p -> expected.put(p.id(), p.status()));
        // Every order rejected during the upgrade is refunded now, once; each event once in the stream.
        Fixtures.assertEachFinishedOnce(upgraded.url(""), db, nats, expected, UP);
        ReadModelCheck.assertReadModelEqualsEventsEndpoint(upgraded.url(""), db, expected.keySet());
        upgraded.stop();
      } finally {
        old.close();
        mixed.close();
        upgraded.close();
      }
    }
  }
}
