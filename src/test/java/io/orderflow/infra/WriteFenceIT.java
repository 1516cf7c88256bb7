package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The write fence on a real node and database: once fenced, the node's pool refuses statements
 * and commits (a refused commit rolls its transaction back), no order is journaled, and the node
 * leaves. FrozenNodeIT fences a node for real, by freezing it; here the fence is closed directly.
 */
class WriteFenceIT {

  @Test
  void aFencedNodeCommitsNothingMoreAndLeaves() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats();
        TestNode node = TestNode.start(db, nats.url())) {
      String before = "before-" + UUID.randomUUID();
      assertEquals(201, Http.post(node.url("/api/orders"), Fixtures.approvable(before)).status());
      WriteFence fence = WriteFence.get(node.node.system());
      assertFalse(fence.fenced());

      try (Connection c = node.node.db().dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE fenced_probe (id TEXT)");
        }
        fence.fence("closed by the test");
        assertTrue(fence.fenced());
        assertThrows(WriteFence.FencedException.class, c::commit, "commit after the fence");
        assertThrows(WriteFence.FencedException.class, c::createStatement, "statement after the fence");
        assertThrows(WriteFence.FencedException.class, () -> c.prepareStatement("SELECT 1"));
        assertThrows(WriteFence.FencedException.class, () -> c.setAutoCommit(true), "commit by auto-commit");
      }
      assertEquals(0, db.count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'fenced_probe'"),
          "the refused commit rolled the transaction back");
      assertThrows(WriteFence.FencedException.class, () -> node.node.db().inTransaction(c -> null));

      // The node leaves (coordinated shutdown; exit-jvm is off for in-process test nodes) and journals nothing more.
      String after = "after-" + UUID.randomUUID();
      try {
        Http.post(node.url("/api/orders"), Fixtures.approvable(after));
      } catch (Exception e) {
        // the node is already gone
      }
      node.node.system().getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + after));
      assertTrue(db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + before) > 0);
      Eventually.await(Duration.ofSeconds(5), "the shutdown reason", () ->
          org.apache.pekko.actor.CoordinatedShutdown.get(node.node.system()).getShutdownReason()
              .map(r -> r instanceof WriteFence.Fenced).orElse(false));
    }
  }
}
