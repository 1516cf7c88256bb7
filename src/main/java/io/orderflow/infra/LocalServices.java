package io.orderflow.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-configuration default: when DB_URL / NATS_URL are not set, use PostgreSQL and NATS
 * on their standard local ports if they answer, else start embedded ones with their data under
 * the data directory so that a restart recovers.
 */
public final class LocalServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalServices.class);
  static final String LOCAL_PG = "jdbc:postgresql://127.0.0.1:5432/";
  static final String DATABASE = "orderflow";
  static final int EMBEDDED_PG_PORT = 54329;

  private final List<AutoCloseable> started = new ArrayList<>();

  /** A JDBC URL for the node: the local server's {@code orderflow} database, or an embedded server. */
  public String database(String user, String password, Path dataDir) throws IOException {
    if (answers("127.0.0.1", 5432)) {
      try {
        String url = ensureDatabase(user, password);
        log.info("Database: local PostgreSQL at {}", url);
        return url;
      } catch (SQLException e) {
        log.warn("PostgreSQL on 127.0.0.1:5432 refused the connection ({}); starting an embedded one",
            e.getMessage());
      }
    }
    Path dir = dataDir.resolve("postgres").toAbsolutePath();
    Files.createDirectories(dir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    // A fixed port, so psql and the bench find it; any free one when that is taken.
    if (!answers("127.0.0.1", EMBEDDED_PG_PORT)) builder.setPort(EMBEDDED_PG_PORT);
    EmbeddedPostgres pg =
        builder
            .setDataDirectory(dir)
            .setCleanDataDirectory(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .start();
    started.add(pg);
    String url = pg.getJdbcUrl("postgres", "postgres");
    log.info("Database: embedded PostgreSQL with data in {} ({})", dir, url);
    return url;
  }

  /** Connects to the local server and creates database {@code orderflow} when it can. */
  private static String ensureDatabase(String user, String password) throws SQLException {
    Properties props = credentials(user, password);
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

  /** A NATS URL: the local server if it answers on 4222, else {@code nats-server} started from PATH. */
  public String nats(Path dataDir) throws IOException {
    if (answers("127.0.0.1", 4222)) {
      log.info("NATS: local server at nats://127.0.0.1:4222");
      return "nats://127.0.0.1:4222";
    }
    Path store = dataDir.resolve("nats").toAbsolutePath();
    Files.createDirectories(store);
    List<String> cmd = new ArrayList<>(List.of("nats-server"));
    if (Files.exists(Path.of("jetstream.conf"))) {
      // its store_dir is ./data/nats; nats-server refuses -sd next to a config that sets one
      cmd.addAll(List.of("-c", "jetstream.conf"));
      store = Path.of("data/nats").toAbsolutePath();
    } else {
      cmd.addAll(List.of("-js", "-a", "127.0.0.1", "-p", "4222", "-m", "8222", "-sd", store.toString()));
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(dataDir.resolve("nats-server.log").toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("No NATS server on 127.0.0.1:4222 and cannot start nats-server from PATH ("
          + e.getMessage() + "); install nats-server or set NATS_URL", e);
    }
    started.add(p::destroy);
    for (int i = 0; i < 100 && !answers("127.0.0.1", 4222); i++) Database.sleep(Duration.ofMillis(100));
    if (!p.isAlive()) {
      throw new IOException("nats-server exited at start; see " + dataDir.resolve("nats-server.log"));
    }
    log.info("NATS: started {} with its store in {}", String.join(" ", cmd), store);
    return "nats://127.0.0.1:4222";
  }

  static Properties credentials(String user, String password) {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && !password.isEmpty()) props.setProperty("password", password);
    props.setProperty("connectTimeout", "3");
    return props;
  }

  static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops whatever was started here, last first. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("Stopping an embedded service failed: {}", e.getMessage());
      }
    }
    started.clear();
  }
}
