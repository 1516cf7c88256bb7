package io.orderflow.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A fresh database per test class: on the local PostgreSQL when one answers on 5432, else on an
 * embedded PostgreSQL started once per JVM, so the suite also runs where none is installed.
 *
 * <p>With {@code -Dorderflow.test.serializable=true} every transaction on it runs SERIALIZABLE,
 * CockroachDB's only isolation level, so that serialization failures (SQLSTATE 40001) and the
 * retries for them happen for real: {@code mvn -o verify -Dorderflow.test.serializable=true}.
 */
public final class TestDatabase implements AutoCloseable {
  private static EmbeddedPostgres embedded;
  /** The system property that makes the test databases SERIALIZABLE. */
  public static final String SERIALIZABLE = "orderflow.test.serializable";

  public final String url;
  public final String name;
  private final String adminUrl;

  private TestDatabase(String adminUrl, String url, String name) {
    this.adminUrl = adminUrl;
    this.url = url;
    this.name = name;
  }

  public static synchronized TestDatabase create() throws Exception {
    String base;
    if (answers(5432)) {
      base = "jdbc:postgresql://127.0.0.1:5432/";
    } else {
      if (embedded == null) embedded = EmbeddedPostgres.builder().start();
      base = "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/";
    }
    return create(base);
  }

  /** A fresh database on the server at {@code base} ({@code jdbc:postgresql://host:port/}). */
  public static TestDatabase create(String base) throws Exception {
    String name = "orderflow_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base + "postgres", "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
      if (Boolean.getBoolean(SERIALIZABLE)) {
        st.execute("ALTER DATABASE " + name + " SET default_transaction_isolation = 'serializable'");
      }
    }
    TestDatabase db = new TestDatabase(base + "postgres", base + name, name);
    if (Boolean.getBoolean(SERIALIZABLE)) {
      String level = (String) db.rows("SHOW transaction_isolation").get(0).get(0);
      if (!level.equals("serializable")) throw new IllegalStateException(name + " runs " + level);
    }
    return db;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }

  /** Rows of a query, each row as a list of column values. */
  public List<List<Object>> rows(String sql, Object... params) throws SQLException {
    try (Connection c = connect(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
      try (ResultSet rs = ps.executeQuery()) {
        List<List<Object>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
          rows.add(row);
        }
        return rows;
      }
    }
  }

  public long count(String sql, Object... params) throws SQLException {
    return ((Number) rows(sql, params).get(0).get(0)).longValue();
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
