package io.orderflow.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.nats.client.api.StreamInfoOptions;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.infra.Json;
import io.orderflow.infra.NatsBroker;
import io.orderflow.order.Order;
import io.orderflow.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The live dashboard on the HTTP port: {@code GET /dashboard}, one self-contained page (no build
 * step, nothing from a CDN), which polls {@code GET /api/stats}. The flow of orders comes from
 * JetStream (messages per subject of stream {@code order}: the whole cluster's truth); latency,
 * dead letters and lags from this node's meters; members and shards from the cluster.
 */
public final class Dashboard extends AllDirectives {
  private static final byte[] PAGE = page();

  private final ActorSystem<?> system;
  private final NatsBroker broker;
  private final List<Worker> workers;
  private final Metrics metrics;

  public Dashboard(ActorSystem<?> system, NatsBroker broker, List<Worker> workers) {
    this.system = system;
    this.broker = broker;
    this.workers = workers;
    this.metrics = Metrics.get(system);
  }

  public Route routes() {
    return concat(
        path("dashboard", () -> get(() -> complete(StatusCodes.OK, HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, PAGE)))),
        pathPrefix("api", () -> path("stats", () -> get(() -> onSuccess(stats(),
            s -> complete(StatusCodes.OK, s, Jackson.marshaller(Json.MAPPER)))))));
  }

  /** What the dashboard shows, as of now. */
  CompletionStage<Map<String, Object>> stats() {
    CompletionStage<Map<String, Long>> stream = CompletableFuture.supplyAsync(this::streamCounts,
        system.dispatchers().lookup(DispatcherSelector.blocking()));
    CompletionStage<Map<String, Integer>> shards = shardsPerMember();
    return stream.thenCombine(shards, (subjects, shardCounts) -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("node", system.address().toString());
      out.put("time_ms", System.currentTimeMillis());
      out.put("stream", subjects);
      var e2e = metrics.endToEndTimer().takeSnapshot();
      Map<String, Object> latency = new LinkedHashMap<>();
      latency.put("count", e2e.count());
      for (ValueAtPercentile p : e2e.percentileValues()) {
        latency.put(p.percentile() == 0.5 ? "p50_ms" : "p99_ms", Math.round(p.value(TimeUnit.MILLISECONDS) * 10) / 10.0);
      }
      out.put("end_to_end", latency);
      List<Map<String, Object>> consumers = new ArrayList<>();
      for (Worker w : workers) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", w.durable());
        c.put("filter", w.filterSubject());
        c.put("pending", gauge("orderflow.consumer.pending.messages", "consumer", w.durable()));
        c.put("ack_pending", gauge("orderflow.consumer.ack.pending.messages", "consumer", w.durable()));
        c.put("dead_lettered", count("orderflow.consumer.messages", w.durable(), "dead_letter"));
        c.put("retried", count("orderflow.consumer.messages", w.durable(), "retry"));
        consumers.add(c);
      }
      out.put("consumers", consumers);
      Map<String, Long> lag = new TreeMap<>();
      registry().find("orderflow.publisher.lag.events").gauges()
          .forEach(g -> lag.put(g.getId().getTag("slice"), (long) g.value()));
      out.put("publisher_lag", lag);
      List<Map<String, Object>> members = new ArrayList<>();
      for (Member m : Cluster.get(system).state().getMembers()) {
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("address", m.address().toString());
        member.put("status", m.status().toString());
        member.put("roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
        member.put("shards", shardCounts.getOrDefault(m.address().toString(), 0));
        members.add(member);
      }
      out.put("members", members);
      return out;
    });
  }

  /** Messages per subject in stream {@code order}, whichever node published them. */
  private Map<String, Long> streamCounts() {
    Map<String, Long> counts = new TreeMap<>();
    Order.EVENT_TYPES.forEach(t -> counts.put(t, 0L));
    try {
      var info = broker.connection().jetStreamManagement()
          .getStreamInfo(JournalEvent.ORDER, StreamInfoOptions.filterSubjects(JournalEvent.ORDER + ".>"));
      if (info.getStreamState().getSubjects() != null) {
        info.getStreamState().getSubjects().forEach(s -> counts.put(s.getName(), s.getCount()));
      }
    } catch (IOException | io.nats.client.JetStreamApiException e) {
      counts.put("unavailable", 1L);
    }
    return counts;
  }

  private CompletionStage<Map<String, Integer>> shardsPerMember() {
    return AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(ClusterSharding.get(system).shardState(),
            replyTo -> new GetClusterShardingStats(Order.ENTITY_KEY, Duration.ofSeconds(2), replyTo),
            Duration.ofSeconds(3), system.scheduler())
        .<Map<String, Integer>>thenApply(stats -> {
          Map<String, Integer> perMember = new LinkedHashMap<>();
          stats.getRegions().forEach((address, region) -> perMember.put(address.toString(), region.getStats().size()));
          return perMember;
        })
        .exceptionally(e -> Map.of());
  }

  private MeterRegistry registry() {
    return metrics.registry();
  }

  private long gauge(String name, String tag, String value) {
    Gauge g = registry().find(name).tag(tag, value).gauge();
    return g == null ? -1 : (long) g.value();
  }

  private long count(String name, String consumer, String outcome) {
    var c = registry().find(name).tag("consumer", consumer).tag("outcome", outcome).counter();
    return c == null ? 0 : (long) c.count();
  }

  private static byte[] page() {
    try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/index.html")) {
      if (in == null) throw new IllegalStateException("dashboard/index.html is missing from the jar");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
