package io.orderflow.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl from the machine's
 * PostgreSQL binaries) on a free port with its data in a temporary directory, so a test can stop,
 * crash and restart the database without touching anyone else's. {@link #close} stops it and
 * deletes its directory; a JVM shutdown hook does the same if the test never gets there.
 *
 * <p>PostgreSQL refuses to run as root: when the JVM is root (CI, containers) every command runs
 * as the {@code postgres} OS user (or {@code nobody} when there is none) through {@code runuser},
 * in a directory that user owns.
 */
public final class TestPostgres implements AutoCloseable {
  /** Where the PostgreSQL server binaries are; PG_BIN overrides. */
  public static final Path BIN = Path.of(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin"));

  public final int port;
  private final Path dir;
  private final Path data;
  private final Path log;
  private final List<String> asUser;
  private final Thread cleanup;
  private boolean running;

  /** Creates the cluster and starts it. */
  public TestPostgres() throws IOException, InterruptedException {
    if (!Files.isExecutable(BIN.resolve("initdb"))) {
      throw new IllegalStateException("no PostgreSQL binaries in " + BIN + " (set PG_BIN)");
    }
    this.port = Ports.free();
    this.dir = Files.createTempDirectory("orderflow-pg");
    this.data = dir.resolve("data");
    this.log = dir.resolve("postgres.log");
    this.asUser = osUserPrefix();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (!asUser.isEmpty()) run(List.of("chown", asUser.get(2), dir.toString()));
    this.cleanup = new Thread(this::destroy, "test-postgres-cleanup-" + port);
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      run(command(BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
          "-E", "UTF8", "--locale=C", "--no-sync"));
      // The server listens on 127.0.0.1 only, keeps its socket in its own directory, and skips
      // fsync: a crash of PostgreSQL (not of the OS) loses nothing that was committed.
      Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
          "", "listen_addresses = '127.0.0.1'", "port = " + port, "unix_socket_directories = '" + dir + "'",
          "fsync = off", "shared_buffers = 32MB", "max_connections = 100", ""),
          StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
      start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** JDBC URL of {@code database} on this cluster. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A fresh database on this cluster (dropped by its own close). */
  public TestDatabase createDatabase() throws Exception {
    return TestDatabase.create("jdbc:postgresql://127.0.0.1:" + port + "/");
  }

  /** Starts the server and waits until it accepts connections. */
  public synchronized void start() throws IOException, InterruptedException {
    pgCtl("start", "-w", "-t", "60", "-l", log.toString());
    running = true;
  }

  /** Stops the server the gentle way: sessions are ended, a checkpoint written. */
  public synchronized void stop() throws IOException, InterruptedException {
    pgCtl("stop", "-w", "-m", "fast");
    running = false;
  }

  /** Stops the server as a crash would: no checkpoint; the next start recovers from the WAL. */
  public synchronized void kill() throws IOException, InterruptedException {
    pgCtl("stop", "-w", "-m", "immediate");
    running = false;
  }

  /** {@code pg_ctl restart -m immediate}: a crash and an immediate start with crash recovery. */
  public synchronized void restartImmediate() throws IOException, InterruptedException {
    pgCtl("restart", "-w", "-t", "60", "-m", "immediate", "-l", log.toString());
    running = true;
  }

  public synchronized boolean isRunning() {
    return running;
  }

  /** The server's log, for a failing test's message. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDown) {
      // the hook runs or has run
    }
  }

  /** Stops the server if it runs and deletes the directory; safe to call twice. */
  private synchronized void destroy() {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      try {
        pgCtl("stop", "-w", "-m", "immediate");
      } catch (Exception e) {
        System.err.println("TestPostgres: could not stop the server on port " + port + ": " + e.getMessage());
      }
    }
    running = false;
    try (Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      System.err.println("TestPostgres: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private void pgCtl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString()));
    cmd.addAll(List.of(args));
    run(command(cmd.toArray(String[]::new)));
  }

  private List<String> command(String... cmd) {
    List<String> full = new ArrayList<>(asUser);
    full.addAll(List.of(cmd));
    return full;
  }

  /** Runs a command to its end; its output goes into the exception when it fails. */
  private void run(List<String> cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("orderflow-pg-cmd", ".out");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", cmd));
      }
      String output = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + output);
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** {@code runuser -u <user> --} when the JVM runs as root, since PostgreSQL will not. */
  private static List<String> osUserPrefix() throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) return List.of();
    String user = userExists("postgres") ? "postgres" : "nobody";
    return List.of("runuser", "-u", user, "--");
  }

  private static boolean userExists(String user) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("id", "-u", user).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
