package io.orderflow.bench;

import io.orderflow.infra.DatabaseLogin;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this machine's database can do for the naive design, measured as pgbench measures it:
 * {@code clients} connections, held for the whole run, each sending a one-row
 * {@code INSERT INTO t(payload) VALUES ('x')} as its own transaction (autocommit, the simple query
 * protocol, one round trip), into a table of pgbench's shape, for a fixed time. Comparable to
 * {@code pgbench -n -c 64 -j 2 -T 15 -f insert.sql} on the same database. The first
 * {@link #WARM_UP} is not counted: pgbench is compiled C, this client is JIT-compiled on the way.
 */
final class Baseline {
  static final String TABLE = "bench_baseline";
  static final Duration WARM_UP = Duration.ofSeconds(2);

  private Baseline() {}

  static double commitsPerSecond(String url, DatabaseLogin login, int clients, Duration duration)
      throws Exception {
    Properties props = login.properties();
    props.setProperty("preferQueryMode", "simple"); // pgbench's default protocol
    try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id BIGSERIAL PRIMARY KEY, payload TEXT)");
    }
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) connections.add(DriverManager.getConnection(url, props)); // held, as pgbench's
      AtomicLong commits = new AtomicLong();
      List<Exception> failures = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      long[] window = new long[2]; // counted from, until
      for (Connection c : connections) {
        Thread t = new Thread(() -> {
          try (Statement st = c.createStatement()) {
            go.await();
            for (long now; (now = System.nanoTime()) < window[1]; ) {
              st.executeUpdate("INSERT INTO " + TABLE + " (payload) VALUES ('x')");
              if (now >= window[0]) commits.incrementAndGet();
            }
          } catch (SQLException e) {
            failures.add(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "baseline");
        threads.add(t);
        t.start();
      }
      window[0] = System.nanoTime() + WARM_UP.toNanos();
      window[1] = window[0] + duration.toNanos();
      go.countDown(); // publishes window to the threads
      for (Thread t : threads) t.join();
      if (!failures.isEmpty()) throw failures.get(0);
      return commits.get() / (duration.toNanos() / 1e9);
    } finally {
      for (Connection c : connections) c.close();
      try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + TABLE);
      }
    }
  }
}
