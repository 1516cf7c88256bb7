package io.orderflow.infra;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.apache.pekko.projection.jdbc.JdbcSession;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one connection pool (the journal's shared Slick/Hikari pool, reused for
 * projections and the read model), the schema, and transactions with CockroachDB's retry.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** SQLSTATE of a serialization failure: CockroachDB asks the client to retry. */
  private static final String SERIALIZATION_FAILURE = "40001";
  private static final int MAX_RETRIES = 8;

  private final DataSource dataSource;
  private final Executor blocking;
  private final DatabaseHealth health;

  private Database(DataSource dataSource, Executor blocking, DatabaseHealth health) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.health = health;
  }

  /**
   * Takes the pool pekko-persistence-jdbc opened for the journal (behind the node's write fence:
   * see FencedDatabaseProvider) and makes sure the schema exists, retrying with backoff while the
   * database is not reachable yet.
   */
  public static Database init(ActorSystem<?> system) {
    Config journalConfig = system.settings().config().getConfig("jdbc-journal");
    SlickDatabase slick = ((SlickExtensionImpl) SlickExtension.get(system)).database(journalConfig);
    DataSource ds = (FencedDataSource) slick.database().source();
    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("orderflow.jdbc-dispatcher"));
    Config health = system.settings().config().getConfig("orderflow.db.health");
    DatabaseHealth probe = DatabaseHealth.start(system, ds, health.getDuration("interval"), health.getDuration("timeout"));
    Readiness.get(system).database(probe::isUp);
    Database db = new Database(ds, blocking, probe);
    db.createSchemaWithBackoff(system);
    return db;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Whether the database answers, as of the last probe (every orderflow.db.health.interval). */
  public DatabaseHealth health() {
    return health;
  }

  public Executor blockingExecutor() {
    return blocking;
  }

  private void createSchemaWithBackoff(ActorSystem<?> system) {
    Backoff backoff = Backoff.of(Duration.ofMillis(500), Duration.ofSeconds(10));
    while (true) {
      try {
        inTransaction(c -> {
          try (Statement st = c.createStatement()) {
            st.execute(readResource("db/schema.sql"));
          }
          return null;
        });
        JdbcProjection.createTablesIfNotExists(this::session, system)
            .toCompletableFuture()
            .get();
        health.markUp(); // it just answered: ready without waiting for the next probe
        log.info("Database schema is in place");
        return;
      } catch (Exception e) {
        Duration delay = backoff.next();
        log.warn("Database not ready ({}); retrying in {} ms", rootMessage(e), delay.toMillis());
        sleep(delay);
      }
    }
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface TxWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction on the calling thread, retrying it on SQLSTATE 40001
   * (CockroachDB's serialization failure) with a short backoff. The work must be repeatable.
   */
  public <T> T inTransaction(TxWork<T> work) throws SQLException {
    Backoff backoff = Backoff.of(Duration.ofMillis(10), Duration.ofMillis(500));
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        return transaction(c, work);
      } catch (SQLException e) {
        if (!isSerializationFailure(e) || attempt >= MAX_RETRIES) throw e;
        log.debug("Serialization failure, retrying (attempt {})", attempt);
        sleep(backoff.next());
      }
    }
  }

  /**
   * {@code work} as one explicit transaction on {@code c}: committed (where the write fence checks
   * it), or rolled back when it fails. The pool resets auto-commit when the connection goes back.
   */
  public static <T> T transaction(Connection c, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.apply(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException rollbackFailed) {
        // A lost connection fails the rollback too; the first failure says what happened.
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    }
  }

  /** Whether {@code e}, or what it wraps, is a serialization failure: the transaction was rolled back, try it again. */
  public static boolean isSerializationFailure(Throwable e) {
    for (Throwable t : causes(e)) {
      if (t instanceof SQLException s && SERIALIZATION_FAILURE.equals(s.getSQLState())) return true;
    }
    return false;
  }

  /** {@link #inTransaction} on the JDBC dispatcher. */
  public <T> CompletionStage<T> inTransactionAsync(TxWork<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return inTransaction(work);
          } catch (SQLException e) {
            throw new DatabaseException(e);
          }
        },
        blocking);
  }

  /**
   * A projection's session: one pooled connection, one transaction. A serialization failure
   * (40001) in it or at its commit rolls it back and runs again what it ran so far, as
   * {@link #inTransaction} does; what projections run in it (saving and reading offsets) is repeatable.
   */
  public JdbcSession session() {
    return new PooledSession(dataSource);
  }

  public static final class DatabaseException extends RuntimeException {
    public DatabaseException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static final class PooledSession implements JdbcSession {
    private final DataSource ds;
    private Connection connection;
    /** What ran in the transaction so far, to run again after a serialization failure. */
    private final java.util.List<org.apache.pekko.japi.function.Function<Connection, ?>> work = new java.util.ArrayList<>();
    private final Backoff backoff = Backoff.of(Duration.ofMillis(10), Duration.ofMillis(500));
    private int attempts = 1;

    PooledSession(DataSource ds) {
      this.ds = ds;
    }

    private Connection connection() throws SQLException {
      if (connection == null) {
        connection = ds.getConnection();
        connection.setAutoCommit(false);
      }
      return connection;
    }

    @Override
    public <Result> Result withConnection(
        org.apache.pekko.japi.function.Function<Connection, Result> func) throws Exception {
      while (true) {
        try {
          Result result = func.apply(connection());
          work.add(func);
          return result;
        } catch (SQLException e) {
          retryAfter(e);
        }
      }
    }

    @Override
    public void commit() throws SQLException {
      if (connection == null) return;
      while (true) {
        try {
          connection.commit();
          return;
        } catch (SQLException e) {
          retryAfter(e);
        }
      }
    }

    /** Rethrows {@code e} unless it is a serialization failure to retry; then runs the work so far again. */
    private void retryAfter(SQLException e) throws SQLException {
      while (true) {
        if (!isSerializationFailure(e) || attempts >= MAX_RETRIES) throw e;
        attempts++;
        log.debug("Serialization failure in a projection's session, retrying (attempt {})", attempts);
        connection.rollback();
        sleep(backoff.next());
        try {
          for (var f : work) f.apply(connection);
          return;
        } catch (SQLException again) {
          e = again;
        } catch (Exception other) {
          throw new SQLException("a projection's work failed when run again after a serialization failure", other);
        }
      }
    }

    @Override
    public void rollback() throws SQLException {
      if (connection != null) connection.rollback();
    }

    @Override
    public void close() throws SQLException {
      if (connection != null) connection.close();
    }
  }

  static String readResource(String name) {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }

  /** The failure inside a CompletionException, as async stages wrap it. */
  public static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /**
   * True when the database itself refused or dropped a connection (refused, lost, shut down,
   * starting): an outage, unlike a pool that is only busy or a statement that is only slow.
   */
  public static boolean isGone(Throwable e) {
    for (Throwable t : causes(e)) {
      if (t instanceof java.net.ConnectException) return true;
      if (t instanceof WriteFence.FencedException) return false; // this node stopped writing, not the database
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection refused or lost; 57P01-03: shut down, crashed, starting (not 57P05, an
        // idle session timed out, which ends one connection).
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True for failures that say the database cannot be reached or cannot serve now (no pooled
   * connection, connection refused or lost, server shutting down or starting, too many
   * connections, the journal's circuit breaker open): worth a 503 and a retry, not a 500.
   */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t : causes(e)) {
      if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
          || t instanceof org.apache.pekko.pattern.CircuitBreakerOpenException
          || t instanceof java.net.ConnectException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection exception; 57P: operator intervention (shutdown, starting); 53: resources.
        if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) return true;
      }
    }
    return false;
  }

  public static String rootMessage(Throwable e) {
    List<Throwable> chain = causes(e);
    Throwable t = chain.get(chain.size() - 1);
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** {@code e} and the causes it wraps, outermost first. */
  public static List<Throwable> causes(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) chain.add(t);
    return chain;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", ie);
    }
  }
}
