package io.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built jar as a child process, killed with SIGKILL: an accepted order is never lost. */
class NodeCrashIT {
  static TestDatabase db;
  static TestNats nats;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
  }

  @AfterAll
  static void stop() throws Exception {
    nats.close();
    db.close();
  }

  static JarNode node(String name) throws Exception {
    return new JarNode(name, db, nats.url(), Map.of()).start().awaitUp(Duration.ofSeconds(60));
  }

  @Test
  void orderAcceptedRightBeforeSigkillIsServedAfterRestartAndFinished() throws Exception {
    String id = "kill-" + UUID.randomUUID();
    try (JarNode first = node("crash-1")) {
      Http.Reply r = Http.post(first.url("/api/orders"), Fixtures.approvable(id));
      assertEquals(201, r.status(), r.body());
      first.kill();
    }
    try (JarNode second = node("crash-1-restarted")) {
      Http.Reply events = Http.get(second.url("/api/orders/" + id + "/events"));
      assertEquals(200, events.status(), events.body());
      assertEquals("order.created", events.json().get("events").get(0).get("event_type").asText());
      assertEquals("Approved", Fixtures.awaitFinal(second.url(""), id, Duration.ofSeconds(60)).get("status").asText());
      second.stop();
    }
  }

  @Test
  void nodeKilledWhileOrdersAreInFlightLosesNothingAndDoublesNothing() throws Exception {
    Map<String, String> accepted = new ConcurrentHashMap<>();
    Set<String> attempted = ConcurrentHashMap.newKeySet();
    AtomicInteger n = new AtomicInteger();
    JarNode first = node("crash-2");
    ExecutorService clients = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      clients.submit(() -> {
        while (true) {
          int i = n.getAndIncrement();
          if (i >= 400) return null;
          String id = "inflight-" + i + "-" + UUID.randomUUID();
          String status = i % 3 == 0 ? "Declined" : i % 3 == 1 ? "Rejected" : "Approved";
          String body = i % 3 == 0 ? Fixtures.declinable(id) : i % 3 == 1 ? Fixtures.rejectable(id) : Fixtures.approvable(id);
          attempted.add(id + "=" + status);
          try {
            if (Http.post(first.url("/api/orders"), body).status() == 201) accepted.put(id, status);
          } catch (Exception e) {
            return null; // the node is gone
          }
        }
      });
    }
    while (accepted.size() < 40) Thread.sleep(20);
    first.kill();
    clients.shutdown();
    assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));

    try (JarNode second = node("crash-2-restarted")) {
      // Every order that made it into the journal, answered or not, must be finished.
      Map<String, String> journaled = Fixtures.journaled(db, attempted);
      assertTrue(journaled.keySet().containsAll(accepted.keySet()), "every 201 is in the journal");
      Fixtures.assertEachFinishedOnce(second.url(""), db, nats, journaled, Duration.ofSeconds(90));
      assertEquals(new ArrayList<>(journaled.keySet()).size(),
          db.count("SELECT count(*) FROM orders WHERE order_id LIKE 'inflight-%'"), "read model rows");
      second.stop();
    }
  }
}
