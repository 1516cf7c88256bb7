package io.orderflow.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node keeps at most its active-entity limit of orders in memory (cluster.conf), least recently
 * used out first, however many unfinished orders it holds; the orders it let go still answer.
 * (A done order's entity leaves at once: OrderApiIT.)
 */
class EntityLimitIT {
  static final int LIMIT = 8;
  static final Pattern ENTITIES = Pattern.compile("(?m)^orderflow_sharding_entities\\{entity=\"Order\"} (\\S+)$");

  // Pekko divides the limit among the node's active shards: 4 shards, 2 entities each.
  @RegisterExtension
  static final TestStack stack = new TestStack(Map.of(
      "pekko.cluster.sharding.number-of-shards", 4,
      "pekko.cluster.sharding.passivation.orderflow-lru.active-entity-limit", LIMIT,
      // No review: every order stops at Paid, not done, so only the limit sends entities away.
      "orderflow.roles", "shard,http,grpc,publisher,payment,stream-processor",
      "orderflow.metrics.refresh-interval", "200ms"));

  static double liveEntities() throws Exception {
    Matcher m = ENTITIES.matcher(Http.get("http://127.0.0.1:" + stack.node().managementPort + "/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void unfinishedOrdersLeaveMemoryBeyondTheLimit() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(Http.post(stack.node().url("/api/orders"), Fixtures.approvable(null)).json().get("order_id").asText());
    }
    for (String id : ids) {
      Fixtures.awaitStatus(stack.node().url(""), id, "Paid", Duration.ofSeconds(30));
    }
    // Under the idle strategy all 40 would stay for its timeout; here the gauge settles at the limit.
    Eventually.await(Duration.ofSeconds(10), "at most " + LIMIT + " live Order entities", () -> {
      double live = liveEntities();
      return live > 0 && live <= LIMIT;
    });
    // An order that left memory is recovered from its journal when asked again.
    Http.Reply again = Http.post(stack.node().url("/api/orders"), Fixtures.approvable(ids.get(0)));
    assertTrue(again.status() == 200 || again.status() == 201, again.body());
    assertEquals("Paid", again.json().get("status").asText(), again.body());
  }
}
