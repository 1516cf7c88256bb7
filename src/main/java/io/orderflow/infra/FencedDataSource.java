package io.orderflow.infra;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import scala.Option;
import slick.jdbc.JdbcDataSource;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The node's one connection pool behind its {@link WriteFence}: to Slick (the journal) a
 * {@link JdbcDataSource}, to the projections and the read model a {@link DataSource}.
 */
public final class FencedDataSource implements JdbcDataSource, DataSource {
  private final HikariCPJdbcDataSource pool;
  private final WriteFence fence;

  FencedDataSource(HikariCPJdbcDataSource pool, WriteFence fence) {
    this.pool = pool;
    this.fence = fence;
  }

  @Override
  public Connection createConnection() {
    return fence.wrap(pool.createConnection());
  }

  @Override
  public Connection getConnection() throws SQLException {
    return createConnection();
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return fence.wrap(pool.ds().getConnection(user, password));
  }

  @Override
  public Option<Object> maxConnections() {
    return pool.maxConnections();
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.ds().getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.ds().setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.ds().setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.ds().getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.ds().getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : pool.ds().unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || pool.ds().isWrapperFor(iface);
  }
}
