package io.orderflow.infra.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL: the jar's binaries, its cluster in {@code DATA_DIR/postgres}, its
 * server log in {@code DATA_DIR/postgres.log}, run by the node as a supervised child. Durable
 * unless the operator opts out: fsync, synchronous_commit and full_page_writes on.
 */
final class EmbeddedPostgres {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
  static final String USER = "postgres";
  static final String DATABASE = "postgres";

  private final Child child;
  private final int port;

  private EmbeddedPostgres(Child child, int port) {
    this.child = child;
    this.port = port;
  }

  /**
   * Starts it on {@code wantedPort} (another free one if that is taken), first stopping a server
   * an earlier node left running on the directory.
   */
  static EmbeddedPostgres start(Path dataDir, int wantedPort, boolean durable) throws IOException {
    Path home = PostgresBinaries.home();
    Path pgdata = dataDir.resolve("postgres");
    Path logFile = dataDir.resolve("postgres.log");
    if (!Files.exists(pgdata.resolve("PG_VERSION"))) initdb(home, dataDir, logFile);
    stopOrphan(pgdata);
    int port = LocalServices.port(wantedPort, "EMBEDDED_PG_PORT");
    if (!durable) {
      log.warn("EMBEDDED_PG_FSYNC=off: the embedded PostgreSQL does not wait for the disk; a machine crash or "
          + "power cut can lose answered orders or corrupt the database in {}", pgdata);
    }
    String url = url(port);
    Child child = Child.start(new Child.Spec("PostgreSQL", serverCommand(home, pgdata, port, durable), logFile, null,
        "INT", Duration.ofSeconds(60), true, p -> ready(pgdata, p) && answers(url)), Duration.ofMinutes(2));
    log.info("Database: embedded PostgreSQL {} (pid {}), data in {}, server log {}", url, child.pid(), pgdata, logFile);
    return new EmbeddedPostgres(child, port);
  }

  /**
   * The server's command line. SIGINT stops it cleanly ("fast" shutdown: sessions closed, a
   * checkpoint written); it listens on 127.0.0.1 only, with no Unix socket to collide on.
   */
  static List<String> serverCommand(Path home, Path pgdata, int port, boolean durable) {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/postgres").toString(), "-D", pgdata.toString(),
        "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
        "-c", "timezone=UTC"));
    String on = durable ? "on" : "off";
    for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
      cmd.addAll(List.of("-c", setting + "=" + on));
    }
    return cmd;
  }

  static String url(int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  String jdbcUrl() {
    return url(port);
  }

  long pid() {
    return child.pid();
  }

  void stop() {
    child.stop();
  }

  /** A new cluster, made aside and moved into place whole, so a killed initdb leaves nothing half-made. */
  private static void initdb(Path home, Path dataDir, Path logFile) throws IOException {
    Path pgdata = dataDir.resolve("postgres");
    if (Files.isDirectory(pgdata)) {
      try (Stream<Path> entries = Files.list(pgdata)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(pgdata + " is not empty and holds no PostgreSQL cluster (no PG_VERSION); move it away"
              + " or remove it");
        }
      }
      Files.delete(pgdata);
    }
    Path fresh = dataDir.resolve("postgres.initdb");
    if (Files.exists(fresh)) PostgresBinaries.deleteTree(fresh);
    long t0 = System.nanoTime();
    List<String> cmd = Processes.wrap(List.of(home.resolve("bin/initdb").toString(), "-A", "trust", "-U", USER,
        "-E", "UTF-8", "-D", fresh.toString()), "KILL", true);
    Process p = Processes.start(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())));
    try {
      if (!p.waitFor(2, TimeUnit.MINUTES)) p.destroyForcibly();
      if (p.waitFor() != 0) {
        throw new IOException("initdb failed with status " + p.exitValue() + "; the end of " + logFile + ":\n"
            + Processes.tail(logFile, 15));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted during initdb", e);
    }
    Files.move(fresh, pgdata);
    log.info("Created a PostgreSQL cluster in {} in {} ms", pgdata, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * A postmaster an earlier node left running on this directory (that node was killed where the
   * kernel could not take its children along) is stopped before a new one starts: two servers on
   * one directory must never run. A postmaster.pid naming some other process is stale.
   */
  private static void stopOrphan(Path pgdata) throws IOException {
    Path pidFile = pgdata.resolve("postmaster.pid");
    var pid = Processes.readPid(pidFile);
    if (pid.isEmpty() || !Processes.isRunning(pid.get())) return;
    List<String> cmd = Processes.commandLine(pid.get());
    boolean ours = !cmd.isEmpty() && cmd.get(0).endsWith("postgres") && cmd.contains(pgdata.toString());
    if (!ours) {
      log.info("Removing stale {} (pid {} is {})", pidFile, pid.get(), cmd.isEmpty() ? "gone" : cmd.get(0));
      Files.deleteIfExists(pidFile);
      return;
    }
    log.warn("PostgreSQL (pid {}) is still running on {}, left by an earlier node; stopping it", pid.get(), pgdata);
    if (!Processes.stop(pid.get(), "INT", Duration.ofSeconds(30))) {
      throw new IOException("cannot stop the PostgreSQL (pid " + pid.get() + ") running on " + pgdata);
    }
    // A killed postmaster's sessions end on their own within moments; wait for the lock file to go.
    for (int i = 0; i < 50 && Files.exists(pidFile) && Processes.isRunning(pid.get()); i++) {
      Processes.sleep(Duration.ofMillis(100));
    }
  }

  /** postmaster.pid names this process and says "ready" (its 8th line, PostgreSQL 10 and later). */
  private static boolean ready(Path pgdata, Process p) throws IOException {
    Path pidFile = pgdata.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return false;
    List<String> lines = Files.readAllLines(pidFile);
    return lines.size() >= 8 && lines.get(0).trim().equals(Long.toString(p.pid())) && lines.get(7).trim().equals("ready");
  }

  private static boolean answers(String url) {
    Properties props = new Properties();
    props.setProperty("user", USER);
    props.setProperty("connectTimeout", "2");
    try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
      st.execute("SELECT 1");
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
