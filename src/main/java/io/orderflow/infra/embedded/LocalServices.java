package io.orderflow.infra.embedded;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-configuration default. With DB_URL / NATS_URL empty the node uses PostgreSQL and NATS
 * on their standard local ports when they answer, else starts embedded ones with their data under
 * DATA_DIR so that a restart recovers; with {@code embedded} it always starts its own.
 *
 * <p>The embedded servers are the node's children and stop after it: after the actor system has
 * terminated (coordinated shutdown done: journal writes finished, shards handed over, and the
 * connection pool closed by pekko-persistence-jdbc's termination callback), then nats-server,
 * then PostgreSQL. One node at a time owns a data directory ({@code node.lock}); servers an
 * earlier, killed node left running on it are stopped before new ones start.
 */
public final class LocalServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalServices.class);
  /** The DB_URL / NATS_URL value that asks for the embedded server even when a local one answers. */
  public static final String EMBEDDED = "embedded";
  static final String LOCAL_PG = "jdbc:postgresql://127.0.0.1:5432/";
  static final String LOCAL_NATS = "nats://127.0.0.1:4222";
  static final String DATABASE = "orderflow";

  /** orderflow.data-dir and orderflow.embedded (orderflow.conf). */
  public record Settings(Path dataDir, int pgPort, boolean pgDurable, int natsPort) {
    public static Settings of(Config config) {
      Config e = config.getConfig("orderflow.embedded");
      return new Settings(Path.of(config.getString("orderflow.data-dir")).toAbsolutePath().normalize(),
          e.getInt("pg-port"), e.getBoolean("pg-fsync"), e.getInt("nats-port"));
    }
  }

  private final Settings settings;
  private FileChannel lockChannel;
  private FileLock lock;
  private EmbeddedPostgres postgres;
  private EmbeddedNats nats;
  private volatile ActorSystem<?> system;
  private Thread hook;
  private boolean closed;

  public LocalServices(Settings settings) {
    this.settings = settings;
  }

  /** Whether a configured DB_URL / NATS_URL leaves the choice to this class. */
  public static boolean decides(String url) {
    return url.isEmpty() || url.equals(EMBEDDED);
  }

  /** A JDBC URL: the local server's {@code orderflow} database, or the embedded server's. */
  public synchronized String database(String configured, String user, String password) throws IOException {
    if (configured.isEmpty() && answers("127.0.0.1", 5432)) {
      try {
        String url = ensureDatabase(user, password);
        log.info("Database: local PostgreSQL at {}", url);
        return url;
      } catch (SQLException e) {
        log.warn("PostgreSQL on 127.0.0.1:5432 refused the connection ({}); starting an embedded one", e.getMessage());
      }
    }
    startable();
    registerHook();
    postgres = EmbeddedPostgres.start(settings.dataDir(), settings.pgPort(), settings.pgDurable());
    return postgres.jdbcUrl();
  }

  /** A NATS URL: the local server if it answers on 4222, else the embedded nats-server's. */
  public synchronized String nats(String configured) throws IOException {
    if (configured.isEmpty()) {
      // An orphan of ours on 4222 is no local NATS: stop it first, unless a live node owns it.
      if (Files.exists(EmbeddedNats.pidFile(settings.dataDir())) && tryLockDataDir()) {
        EmbeddedNats.stopOrphan(settings.dataDir());
      }
      if (answers("127.0.0.1", 4222)) {
        log.info("NATS: local server at {}", LOCAL_NATS);
        return LOCAL_NATS;
      }
    }
    startable();
    registerHook();
    EmbeddedNats.stopOrphan(settings.dataDir());
    nats = EmbeddedNats.start(settings.dataDir(), port(settings.natsPort(), "EMBEDDED_NATS_PORT"));
    return nats.url();
  }

  /** The embedded PostgreSQL's pid, or -1 (for tests and the log). */
  public synchronized long postgresPid() {
    return postgres == null ? -1 : postgres.pid();
  }

  /** The embedded nats-server's current pid, or -1. */
  public synchronized long natsPid() {
    return nats == null ? -1 : nats.pid();
  }

  /**
   * Stops the embedded servers once {@code system} has terminated, whether it stops by itself
   * (leaving the cluster, an in-process test) or the JVM is asked to exit (SIGTERM, Ctrl-C).
   */
  public void stopAfter(ActorSystem<?> system) {
    this.system = system;
    if (postgres == null && nats == null) return;
    system.getWhenTerminated().thenRunAsync(this::close,
        r -> new Thread(r, "orderflow-stop-embedded").start());
  }

  /** A free port: {@code wanted} when it is free (0: any), else another one, said in the log. */
  static int port(int wanted, String variable) throws IOException {
    if (wanted != 0 && canBind(wanted)) return wanted;
    int free;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    if (wanted != 0) log.warn("Port {} ({}) is taken; using {}", wanted, variable, free);
    return free;
  }

  private static boolean canBind(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Not stopping (Ctrl-C during start-up), and the data directory taken. */
  private void startable() throws IOException {
    if (closed) throw new IOException("the node is stopping");
    lockDataDir();
  }

  /** Takes the data directory for this node, or says which live node has it. */
  private void lockDataDir() throws IOException {
    if (!tryLockDataDir()) {
      String owner = Processes.readPid(lockFile()).map(p -> " (pid " + p + ")").orElse("");
      throw new IOException("DATA_DIR " + settings.dataDir() + " is in use by another orderflow node" + owner
          + ": stop that node, or give this one another DATA_DIR");
    }
  }

  private boolean tryLockDataDir() throws IOException {
    if (lock != null) return true;
    Files.createDirectories(settings.dataDir());
    FileChannel channel = FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      // Held until this node stops; the kernel releases it when the node dies, even by kill -9.
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      return false;
    }
    lockChannel = channel;
    channel.truncate(0);
    channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
    channel.force(false);
    return true;
  }

  private Path lockFile() {
    return settings.dataDir().resolve("node.lock");
  }

  /** The JVM exiting (SIGTERM, Ctrl-C, System.exit) stops the servers, after the node. */
  private void registerHook() {
    if (hook != null) return;
    hook = new Thread(() -> {
      ActorSystem<?> s = system;
      if (s != null) {
        try {
          s.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
          log.warn("The node has not finished stopping after 2 minutes; stopping the embedded servers anyway");
        } catch (Exception e) {
          log.warn("Waiting for the node to stop: {}", e.toString());
        }
      }
      close();
      flushLogs();
    }, "orderflow-embedded-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Stops the embedded servers (NATS, then PostgreSQL) and gives up the data directory. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    if (system != null && system.getWhenTerminated().toCompletableFuture().isDone()) {
      log.info("The node has stopped; stopping its embedded services");
    }
    if (nats != null) nats.stop();
    if (postgres != null) postgres.stop();
    try {
      if (lock != null) lock.release();
      if (lockChannel != null) lockChannel.close();
    } catch (IOException e) {
      log.warn("Releasing {}: {}", lockFile(), e.getMessage());
    }
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs and finds everything stopped
      }
    }
  }

  /** The asynchronous appender drops what it still holds when the JVM halts. */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) context.stop();
  }

  /** Connects to the local server and creates database {@code orderflow} when it can. */
  private static String ensureDatabase(String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && !password.isEmpty()) props.setProperty("password", password);
    props.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(LOCAL_PG + "postgres", props);
        PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet rs = exists.executeQuery()) {
        if (!rs.next()) {
          try (Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + DATABASE);
            log.info("Created database {}", DATABASE);
          } catch (SQLException e) {
            log.warn("Cannot create database {} ({}); using database postgres", DATABASE, e.getMessage());
            return LOCAL_PG + "postgres";
          }
        }
      }
    }
    return LOCAL_PG + DATABASE;
  }

  static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
