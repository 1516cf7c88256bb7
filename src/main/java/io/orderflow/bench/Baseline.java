package io.orderflow.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this machine's database can do for the naive design: {@code threads} connections each
 * doing single-row INSERT then COMMIT (one commit per event) into a scratch table, for a fixed time.
 */
final class Baseline {
  private Baseline() {}

  static double commitsPerSecond(String url, String user, String password, int threads, Duration duration)
      throws Exception {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && !password.isEmpty()) props.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id BIGSERIAL PRIMARY KEY, payload VARCHAR(64) NOT NULL)");
      st.execute("TRUNCATE bench_baseline");
    }
    AtomicLong commits = new AtomicLong();
    long deadline = System.nanoTime() + duration.toNanos();
    List<Thread> workers = new ArrayList<>();
    List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, props);
            PreparedStatement ps = c.prepareStatement("INSERT INTO bench_baseline (payload) VALUES (?)")) {
          c.setAutoCommit(false);
          while (System.nanoTime() < deadline) {
            ps.setString(1, "order.created");
            ps.executeUpdate();
            c.commit();
            commits.incrementAndGet();
          }
        } catch (SQLException e) {
          failures.add(e);
        }
      });
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) t.join();
    if (!failures.isEmpty()) throw failures.get(0);
    double seconds = (System.nanoTime() - start) / 1e9;
    try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS bench_baseline");
    }
    return commits.get() / seconds;
  }
}
