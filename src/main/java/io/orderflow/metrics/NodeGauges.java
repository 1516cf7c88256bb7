package io.orderflow.metrics;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.api.ConsumerInfo;
import io.orderflow.infra.Database;
import io.orderflow.infra.NatsBroker;
import io.orderflow.infra.Roles;
import io.orderflow.infra.Slices;
import io.orderflow.order.Order;
import io.orderflow.worker.Worker;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Gauges that take a query to read, refreshed every {@code orderflow.metrics.refresh-interval} off
 * the actor threads: JetStream's pending and ack-pending counts per durable consumer, events each
 * publisher slice has not yet published, entities and shards on this node. The database pool's
 * gauges are read from Hikari when scraped.
 */
public final class NodeGauges {
  private static final Logger log = LoggerFactory.getLogger(NodeGauges.class);
  private static final String PUBLISHER = "jetstream-publisher";

  private final ActorSystem<?> system;
  private final Database db;
  private final NatsBroker broker;
  private final List<Worker> workers;
  private final Roles roles;
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  private NodeGauges(ActorSystem<?> system, Database db, NatsBroker broker, List<Worker> workers, Roles roles) {
    this.system = system;
    this.db = db;
    this.broker = broker;
    this.workers = workers;
    this.roles = roles;
    this.registry = Metrics.get(system).registry();
  }

  /** Registers the gauges and starts refreshing them. */
  public static void start(ActorSystem<?> system, Database db, NatsBroker broker, List<Worker> workers, Roles roles) {
    NodeGauges gauges = new NodeGauges(system, db, broker, workers, roles);
    gauges.pool();
    Duration every = system.settings().config().getDuration("orderflow.metrics.refresh-interval");
    ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, every, gauges::refresh, blocking);
  }

  private void pool() {
    HikariDataSource hikari;
    try {
      // The node's pool is Hikari's, behind the write fence's wrapper.
      if (!db.dataSource().isWrapperFor(HikariDataSource.class)) return;
      hikari = db.dataSource().unwrap(HikariDataSource.class);
    } catch (java.sql.SQLException e) {
      return;
    }
    Gauge.builder("orderflow.db.pool.connections", hikari, h -> h.getHikariPoolMXBean().getActiveConnections())
        .description("Database connections in use").tag("state", "active").register(registry);
    Gauge.builder("orderflow.db.pool.connections", hikari, h -> h.getHikariPoolMXBean().getIdleConnections())
        .description("Database connections in use").tag("state", "idle").register(registry);
    Gauge.builder("orderflow.db.pool.waiting.threads", hikari, h -> h.getHikariPoolMXBean().getThreadsAwaitingConnection())
        .description("Threads waiting for a database connection").register(registry);
  }

  private void refresh() {
    try {
      consumers();
      if (roles.has(Roles.PUBLISHER)) publisherLag();
      if (roles.has(Roles.SHARD)) sharding();
    } catch (Exception e) {
      log.debug("Metrics refresh failed: {}", e.toString()); // a gauge keeps its last value
    }
  }

  private void consumers() throws Exception {
    var jsm = broker.connection().jetStreamManagement();
    for (Worker w : workers) {
      ConsumerInfo info = jsm.getConsumerInfo(w.stream(), w.durable());
      set("orderflow.consumer.pending.messages", "consumer", w.durable(), info.getNumPending(),
          "Messages of the stream the consumer has not yet been delivered");
      set("orderflow.consumer.ack.pending.messages", "consumer", w.durable(), info.getNumAckPending(),
          "Messages delivered to the consumer's workers and not yet settled");
    }
  }

  /** Per slice: events journaled after the slice's saved offset, i.e. not yet published by the projection. */
  private void publisherLag() throws Exception {
    int slices = system.settings().config().getInt("orderflow.tag-slices");
    db.inTransaction(c -> {
      try (PreparedStatement offset = c.prepareStatement("SELECT current_offset FROM pekko_projection_offset_store"
              + " WHERE projection_name = ? AND projection_key = ?");
          PreparedStatement behind = c.prepareStatement(
              "SELECT count(*) FROM event_tag WHERE tag = ? AND event_id > ?")) {
        for (int i = 0; i < slices; i++) {
          String tag = Slices.TAG_PREFIX + i;
          offset.setString(1, PUBLISHER);
          offset.setString(2, tag);
          long saved = 0;
          try (ResultSet rs = offset.executeQuery()) {
            if (rs.next()) saved = Long.parseLong(rs.getString(1));
          }
          behind.setString(1, tag);
          behind.setLong(2, saved);
          try (ResultSet rs = behind.executeQuery()) {
            rs.next();
            set("orderflow.publisher.lag.events", "slice", tag, rs.getLong(1),
                "Journaled events of the slice not yet published to JetStream by its projection");
          }
        }
      }
      return null;
    });
  }

  private void sharding() throws Exception {
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(Order.ENTITY_KEY, replyTo),
            Duration.ofSeconds(3), system.scheduler())
        .toCompletableFuture().get();
    set("orderflow.sharding.shards", "entity", Order.ENTITY_KEY.name(), state.getShards().size(),
        "Shards of the entity type hosted on this node");
    set("orderflow.sharding.entities", "entity", Order.ENTITY_KEY.name(),
        state.getShards().stream().mapToLong(s -> s.getEntityIds().size()).sum(),
        "Live entities of the type on this node");
  }

  private void set(String name, String tag, String value, long v, String description) {
    values.computeIfAbsent(name + "|" + value, k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder(name, holder, AtomicLong::get).description(description).tag(tag, value).register(registry);
      return holder;
    }).set(v);
  }
}
