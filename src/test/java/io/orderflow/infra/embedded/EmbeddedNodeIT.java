package io.orderflow.infra.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.Pids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-configuration path as a user meets it: the built jar in a directory of its own on its
 * embedded PostgreSQL and nats-server (forced with DB_URL=embedded / NATS_URL=embedded, because
 * this machine has servers on 5432 and 4222), stopped by SIGTERM and Ctrl-C, killed with
 * SIGKILL, its nats-server killed under it.
 */
class EmbeddedNodeIT {
  static final Duration START = Duration.ofSeconds(90);
  static final Duration FINISH = Duration.ofSeconds(60);
  /** A log line at level ERROR, anything FATAL, a stack trace line. */
  static final Pattern BAD = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR|FATAL|^\\s+at \\S+\\(",
      Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void embeddedDatabaseIsDurableAndAKilledNatsServerIsReplaced() throws Exception {
    try (JarNode node = JarNode.embedded("embedded-durable", dir, Map.of()).start().awaitUp(START)) {
      try (Connection c = DriverManager.getConnection(node.embeddedJdbcUrl(), "postgres", "")) {
        assertEquals("on", show(c, "fsync"));
        assertEquals("on", show(c, "synchronous_commit"));
        assertEquals("on", show(c, "full_page_writes"));
      }
      approve(node);

      long killed = node.natsPid();
      assertTrue(Pids.running(killed), "nats-server runs");
      Pids.signal(killed, "KILL");
      Eventually.await(Duration.ofSeconds(20), "a new nats-server on the same store",
          () -> node.natsPid() != killed && Pids.running(node.natsPid())
              && Pids.commandLine(node.natsPid()).contains(node.dataDir().resolve("nats").toString()));
      approve(node);
      assertTrue(node.log().contains("nats-server (pid " + killed + ") exited"), "the node says what happened");
      node.stop();
    }
  }

  @Test
  void sigtermStopsTheNodeThenItsServersAndLeavesNothingRunning() throws Exception {
    try (JarNode node = JarNode.embedded("embedded-sigterm", dir, Map.of()).start().awaitUp(START)) {
      approve(node);
      long postgres = node.postgresPid();
      long nats = node.natsPid();
      assertTrue(Pids.running(postgres) && Pids.running(nats), "both servers run");

      node.stop();

      assertStoppedCleanly(node, postgres, nats);
    }
  }

  @Test
  void ctrlCReachesOnlyTheNodeWhichStopsItsServersAfterItself() throws Exception {
    try (JarNode node = JarNode.embedded("embedded-ctrl-c", dir, Map.of()).inOwnSession().start().awaitUp(START)) {
      approve(node);
      long postgres = node.postgresPid();
      long nats = node.natsPid();

      node.interrupt();

      assertStoppedCleanly(node, postgres, nats);
      // Had the servers been in the node's process group, SIGINT would have stopped them at once,
      // under a node still using them.
      assertFalse(node.log().contains("NATS disconnected"), node.log());
    }
  }

  @Test
  void aKilledNodeTakesItsServersAlongAndRestartsAtOnceWithItsOrders() throws Exception {
    JarNode first = JarNode.embedded("embedded-kill", dir, Map.of());
    List<String> orders = new ArrayList<>();
    long postgres;
    long nats;
    try (first) {
      first.start().awaitUp(START);
      for (int i = 0; i < 3; i++) orders.add(approve(first));
      postgres = first.postgresPid();
      nats = first.natsPid();
      first.kill();
      Eventually.await(Duration.ofSeconds(15), "the killed node's PostgreSQL and nats-server to end",
          () -> !Pids.running(postgres) && !Pids.running(nats));
    }
    assertRestartsWithItsOrders(first.again("embedded-kill-restarted"), orders);
  }

  @Test
  void orphansOfANodeKilledWithoutTheWatchdogAreStoppedByTheNextStart() throws Exception {
    // Where util-linux's setsid/setpriv are missing the servers outlive a killed node.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("nats-server", "unshare")) {
      Path real = Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, tool)).filter(Files::isExecutable)
          .findFirst().orElseThrow();
      Files.createSymbolicLink(bin.resolve(tool), real);
    }
    JarNode first = JarNode.embedded("embedded-orphans", dir, Map.of("PATH", bin.toString()));
    JarNode second = first.again("embedded-orphans-restarted");
    second.env.put("PATH", System.getenv("PATH"));
    try {
      first.start().awaitUp(START);
      List<String> orders = List.of(approve(first));
      long postgres = first.postgresPid();
      long nats = first.natsPid();
      first.kill();
      Thread.sleep(1000);
      assertTrue(Pids.running(postgres) && Pids.running(nats), "the orphans outlived the node");

      assertRestartsWithItsOrders(second, orders);
      assertFalse(Pids.running(postgres), "the orphan PostgreSQL was stopped");
      assertFalse(Pids.running(nats), "the orphan nats-server was stopped");
    } finally {
      first.close(); // and the orphans with it, should the restart not have stopped them
      second.close();
    }
  }

  /** Restarted at once on the same directory: up within START, one postmaster, the orders kept, new ones finish. */
  static void assertRestartsWithItsOrders(JarNode node, List<String> orders) throws Exception {
    try (node) {
      node.start().awaitUp(START);
      Path pgdata = node.dataDir().resolve("postgres");
      assertEquals(List.of(node.postgresPid()), Pids.find("postgres", pgdata.toString()),
          "exactly one postmaster on " + pgdata);
      for (String id : orders) {
        Http.Reply r = Http.get(node.url("/api/orders/" + id));
        assertEquals(200, r.status(), r.body());
        assertEquals("Approved", r.json().get("status").asText());
        assertEquals(3, Http.get(node.url("/api/orders/" + id + "/events")).json().get("events").size());
      }
      approve(node);
      node.stop();
    }
  }

  /** The node exited; its servers are gone with their pid files; nothing ERROR, FATAL or a stack trace. */
  static void assertStoppedCleanly(JarNode node, long postgres, long nats) throws Exception {
    assertFalse(node.isAlive());
    assertFalse(Pids.running(postgres), "PostgreSQL " + postgres + " is gone");
    assertFalse(Pids.running(nats), "nats-server " + nats + " is gone");
    assertFalse(Files.exists(node.dataDir().resolve("postgres/postmaster.pid")));
    assertFalse(Files.exists(node.dataDir().resolve("nats-server.pid")));
    String log = node.log();
    assertFalse(BAD.matcher(log).find(), "ERROR, FATAL or a stack trace in the node's log:\n" + log);
    // The servers stop after the actor system has terminated, PostgreSQL after the pool is closed.
    int terminated = log.indexOf("The node has stopped; stopping its embedded services");
    int pgStopped = log.indexOf("Stopped PostgreSQL");
    assertTrue(terminated > 0 && pgStopped > terminated, "PostgreSQL stopped after the actor system:\n" + log);
    String pgLog = Files.readString(node.dataDir().resolve("postgres.log"));
    String lastRun = pgLog.substring(pgLog.lastIndexOf("database system is ready to accept connections"));
    assertFalse(lastRun.contains("terminating connection due to administrator command"),
        "no session was open when PostgreSQL stopped:\n" + lastRun);
    assertTrue(lastRun.contains("database system is shut down"), lastRun);
  }

  /** Posts an approvable order and waits until the read model shows it Approved; returns its id. */
  static String approve(JarNode node) throws Exception {
    String id = "embedded-" + UUID.randomUUID();
    Http.Reply r = Http.post(node.url("/api/orders"), Fixtures.approvable(id));
    assertEquals(201, r.status(), r.body());
    assertEquals("Approved", Fixtures.awaitFinal(node.url(""), id, FINISH).get("status").asText());
    return id;
  }

  static String show(Connection c, String setting) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }
}
