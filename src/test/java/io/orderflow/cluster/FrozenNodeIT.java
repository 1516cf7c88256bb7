package io.orderflow.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.Load;
import io.orderflow.testing.Ports;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three nodes (the built jar) under load; one is frozen with kill -STOP for longer than the
 * survivors take to down it and take its orders over, the load goes on on the other two, and then
 * it is thawed with kill -CONT: every thread of it resumes at once, with entity commands, HTTP
 * requests, worker messages and journal writes in hand. It must leave without committing a single
 * journal row, the survivors must meet no write conflict, and every accepted order finishes once.
 *
 * <p>Who committed what, and when, is recorded by the database itself: each node connects with its
 * own application_name, and a deferred trigger notes every journal row at its commit.
 */
class FrozenNodeIT {
  static final int NUMBER_OF_SHARDS = 1000; // pekko.cluster.sharding.number-of-shards
  static final String JOURNAL_CONFLICT = "duplicate key value violates unique constraint \"event_";

  static final String AUDIT = """
      CREATE TABLE journal_commits (persistence_id TEXT, sequence_number BIGINT, writer TEXT, committed_at TIMESTAMPTZ);
      CREATE TABLE thawed (at TIMESTAMPTZ);
      CREATE FUNCTION note_journal_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO journal_commits
          VALUES (NEW.persistence_id, NEW.sequence_number, current_setting('application_name'), clock_timestamp());
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER journal_commit_noted AFTER INSERT ON event_journal
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_journal_commit();
      """;

  @Test
  void aNodeFrozenPastItsDowningLeavesOnThawWithoutWritingAndEveryOrderFinishesOnce() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute(resource("db/schema.sql"));
        st.execute(AUDIT);
      }
      int[] pekkoPorts = {Ports.free(), Ports.free(), Ports.free()};
      String seeds = java.util.Arrays.stream(pekkoPorts).mapToObj(p -> "127.0.0.1:" + p)
          .collect(Collectors.joining(","));
      List<JarNode> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nodes.add(new JarNode("frozen-" + (i + 1), db, nats.url(), Map.of("SEED_NODES", seeds,
            "PEKKO_PORT", Integer.toString(pekkoPorts[i]), "DB_URL", db.url + "?ApplicationName=frozen-" + (i + 1))));
      }
      JarNode first = nodes.get(0);
      JarNode frozen = nodes.get(2);
      try {
        for (JarNode n : nodes) n.start();
        for (JarNode n : nodes) n.awaitUp(Duration.ofSeconds(120));
        Eventually.await(Duration.ofSeconds(60), "three Up members", () -> ClusterIT.upMembers(first).size() == 3);

        Map<String, String> accepted;
        Map<String, String> journaled;
        try (Load load = new Load("freeze", nodes.stream().map(n -> n.url("")).toList(), 2)) {
          // Freeze it only once it has committed orders of its own: on a slow machine three cold
          // JVMs on two cores can take longer than any fixed wait.
          Eventually.await(Duration.ofSeconds(60), "the node to freeze to commit journal rows", () ->
              db.count("SELECT count(*) FROM journal_commits WHERE writer = 'frozen-3'") > 0);
          Thread.sleep(1000);
          Set<Integer> frozenShards = shards(frozen);
          assertFalse(frozenShards.isEmpty(), "the node to freeze hosts orders");
          frozen.freeze();
          long frozenAt = System.nanoTime();

          // The survivors down it and take its shards: an order on one of them is accepted again.
          String probe = idOnShards(frozenShards);
          Eventually.await(Duration.ofSeconds(60), "the survivors to take the frozen node's orders", () ->
              Http.post(first.url("/api/orders"), Fixtures.approvable(probe)).status() == 201);
          long takenOverMs = (System.nanoTime() - frozenAt) / 1_000_000;
          Eventually.await(Duration.ofSeconds(30), "the frozen node to be removed",
              () -> ClusterIT.upMembers(first).size() == 2);
          System.out.printf("FrozenNodeIT: the survivors took the frozen node's orders %d ms after kill -STOP%n",
              takenOverMs);
          // The survivors go on with the orders the frozen node had in memory, then it wakes up.
          Thread.sleep(5000);
          try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO thawed VALUES (clock_timestamp())");
          }
          frozen.thaw();
          long thawNanos = System.nanoTime();
          Eventually.await(Duration.ofSeconds(60), "the thawed node to leave", () -> !frozen.isAlive());
          System.out.printf("FrozenNodeIT: frozen for %d ms, left %d ms after kill -CONT with exit status %d%n",
              (thawNanos - frozenAt) / 1_000_000, (System.nanoTime() - thawNanos) / 1_000_000, frozen.exitValue());
          Thread.sleep(2000);
          load.close();
          accepted = new HashMap<>(load.accepted());
          accepted.put(probe, "Approved");
          Set<String> attempted = new HashSet<>(load.attempted());
          attempted.add(probe + "=Approved");
          journaled = Fixtures.journaled(db, attempted);
        }

        // The thawed node noticed, wrote nothing, and left.
        assertTrue(frozen.log().contains("Write fence:"), "the thawed node says why it leaves");
        assertTrue(db.count("SELECT count(*) FROM journal_commits WHERE writer = 'frozen-3'") > 0,
            "the frozen node wrote before it was frozen (else this test proves nothing)");
        List<List<Object>> late = db.rows("SELECT persistence_id, sequence_number, committed_at FROM journal_commits"
            + " WHERE writer = 'frozen-3' AND committed_at >= (SELECT at FROM thawed)");
        assertEquals(List.of(), late, "journal rows the frozen node committed after it was thawed");
        // A conflict on the journal's keys (event_journal, event_tag). Not any duplicate key: three
        // nodes starting at once may race on Pekko's CREATE TABLE IF NOT EXISTS of the offset store,
        // which PostgreSQL reports as one on pg_type, and the node retries.
        for (JarNode n : nodes) {
          assertFalse(n.log().contains(JOURNAL_CONFLICT), n.name + " logged a journal write conflict");
        }
        // Every order is finished once, by the survivors.
        assertTrue(journaled.keySet().containsAll(accepted.keySet()), "every 201 is journaled");
        Fixtures.assertEachFinishedOnce(first.url(""), db, nats, journaled, Duration.ofSeconds(90));
        assertTrue(nodes.get(1).isAlive() && first.isAlive(), "the survivors run on");
      } finally {
        for (JarNode n : nodes) n.close();
      }
    }
  }

  /** The shards of Order entities a node hosts (Pekko Management). */
  static Set<Integer> shards(JarNode node) throws Exception {
    JsonNode regions = Http.get("http://127.0.0.1:" + node.managementPort + "/cluster/shards/Order").json()
        .get("regions");
    Set<Integer> shards = new HashSet<>();
    for (JsonNode r : regions) shards.add(r.get("shardId").asInt());
    return shards;
  }

  /** A new order id that sharding places on one of {@code shards} (its default hash extractor). */
  static String idOnShards(Set<Integer> shards) {
    while (true) {
      String id = "probe-" + UUID.randomUUID();
      if (shards.contains(Math.abs(id.hashCode() % NUMBER_OF_SHARDS))) return id;
    }
  }

  static String resource(String name) throws Exception {
    try (InputStream in = FrozenNodeIT.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
