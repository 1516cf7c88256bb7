package io.orderflow.infra;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.DefaultSlickDatabaseProvider;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabaseProvider;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.JdbcProfile;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * pekko-persistence-jdbc's databases (journal, snapshot store, read journal) exactly as its
 * default provider makes them from persistence.conf (shared databases, Hikari settings), but with
 * every connection behind the node's {@link WriteFence}. Set as
 * {@code pekko-persistence-jdbc.database-provider-fqcn}; the node's other database users get the
 * same fenced pool from {@link Database}.
 */
public final class FencedDatabaseProvider implements SlickDatabaseProvider {
  private final DefaultSlickDatabaseProvider defaults;
  private final WriteFence fence;
  private final Map<SlickDatabase, SlickDatabase> fenced = new ConcurrentHashMap<>();

  /** pekko-persistence-jdbc creates it once per actor system, with this constructor. */
  public FencedDatabaseProvider(ActorSystem system) {
    this.defaults = new DefaultSlickDatabaseProvider(system);
    this.fence = WriteFence.get(system);
  }

  @Override
  public SlickDatabase database(Config pluginConfig) {
    return fenced.computeIfAbsent(defaults.database(pluginConfig), this::fenced);
  }

  private SlickDatabase fenced(SlickDatabase plain) {
    JdbcBackend.JdbcDatabaseDef db = plain.database();
    if (!(db.source() instanceof HikariCPJdbcDataSource pool)) {
      throw new IllegalStateException("orderflow's databases use HikariCP (connectionPool = \"HikariCP\"), not "
          + db.source().getClass().getName());
    }
    // Same pool, same executor: closing either database closes both, as the plain one's owner does.
    JdbcBackend.JdbcDatabaseDef fencedDb =
        JdbcBackend$.MODULE$.Database().forSource(new FencedDataSource(pool, fence), db.executor());
    return new SlickDatabase() {
      @Override
      public JdbcBackend.JdbcDatabaseDef database() {
        return fencedDb;
      }

      @Override
      public JdbcProfile profile() {
        return plain.profile();
      }

      @Override
      public boolean allowShutdown() {
        return plain.allowShutdown();
      }
    };
  }
}
