package io.orderflow;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.orderflow.bench.Bench;
import io.orderflow.eventstore.AggregateStream;
import io.orderflow.eventstore.EventIndex;
import io.orderflow.eventstore.EventStoreService;
import io.orderflow.eventstore.grpc.EventStoreHandlerFactory;
import io.orderflow.http.HttpServer;
import io.orderflow.http.OrderRoutes;
import io.orderflow.infra.Database;
import io.orderflow.infra.JetStreamWorker;
import io.orderflow.infra.LocalServices;
import io.orderflow.infra.NatsBroker;
import io.orderflow.infra.Roles;
import io.orderflow.order.Order;
import io.orderflow.order.Orders;
import io.orderflow.payment.PaymentWorker;
import io.orderflow.payment.SimulatedPaymentGateway;
import io.orderflow.publish.FastPathPublisher;
import io.orderflow.publish.PublisherProjection;
import io.orderflow.review.ReviewPolicy;
import io.orderflow.review.ReviewWorker;
import io.orderflow.view.OrderViewRepository;
import io.orderflow.view.OrderViewUpdater;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node: resolves configuration (and the local/embedded fallbacks), forms or joins the
 * cluster, then starts each part its ROLES ask for, in the order of the data flow.
 */
public final class Main {
  static {
    // On a 2-core machine the common pool gets parallelism 1, and CompletableFuture then starts a
    // new thread for every async callback (Scala's future converters run callbacks async): a
    // thread per ask reply. Give it real threads before anything touches it.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  public static final String SYSTEM_NAME = "orderflow";

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("bench")) {
      System.exit(Bench.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0) {
      System.err.println("usage: java -jar orderflow.jar [bench --help]");
      System.exit(2);
    }
    start(ConfigFactory.empty());
  }

  /** A running node, for tests that start nodes in-process. */
  public record Node(ActorSystem<Void> system, Database db, NatsBroker broker, Roles roles) {
    public void stop() throws Exception {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get();
    }
  }

  /** Starts a node; {@code overrides} win over application.conf and the environment. */
  public static Node start(Config overrides) throws Exception {
    Config unresolved = overrides.withFallback(ConfigFactory.parseResourcesAnySyntax("application"));
    Config probe = ConfigFactory.load(unresolved);
    LocalServices local = new LocalServices();
    Map<String, Object> resolved = new HashMap<>();
    Path dataDir = Path.of(probe.getString("orderflow.data-dir"));
    if (probe.getString("orderflow.db.url").isEmpty()) {
      resolved.put("orderflow.db.url",
          local.database(probe.getString("orderflow.db.user"), probe.getString("orderflow.db.password"), dataDir));
    }
    if (probe.getString("orderflow.nats.url").isEmpty()) {
      resolved.put("orderflow.nats.url", local.nats(dataDir));
    }
    Roles roles = Roles.parse(probe.getString("orderflow.roles"));
    resolved.put("pekko.cluster.roles", new ArrayList<>(roles.names()));
    List<String> seeds = seedNodes(probe);
    resolved.put("pekko.cluster.seed-nodes", seeds);
    Config config = ConfigFactory.load(ConfigFactory.parseMap(resolved).withFallback(unresolved));

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "stop-embedded-services", () -> CompletableFuture.supplyAsync(() -> {
          local.close();
          return Done.getInstance();
        }));
    try {
      return init(system, roles, seeds.isEmpty() && config.hasPath("pekko.management.cluster.bootstrap")
          && System.getenv("DISCOVERY_METHOD") != null);
    } catch (Exception e) {
      log.error("Node failed to start", e);
      system.terminate();
      throw e;
    }
  }

  /** Seeds from SEED_NODES; none and no discovery: the node joins itself. */
  static List<String> seedNodes(Config config) {
    List<String> seeds = new ArrayList<>();
    for (String hostPort : config.getString("orderflow.seed-nodes").split(",")) {
      String s = hostPort.trim();
      if (s.isEmpty()) continue;
      if (!s.matches("[^:/@]+:\\d{1,5}")) {
        throw new IllegalArgumentException("SEED_NODES: '" + s + "' is not host:port");
      }
      seeds.add("pekko://" + SYSTEM_NAME + "@" + s);
    }
    if (seeds.isEmpty() && System.getenv("DISCOVERY_METHOD") == null) {
      seeds.add("pekko://" + SYSTEM_NAME + "@" + config.getString("pekko.remote.artery.canonical.hostname") + ":"
          + config.getInt("pekko.remote.artery.canonical.port"));
    }
    return seeds;
  }

  public static Node init(ActorSystem<Void> system, Roles roles, boolean bootstrap) throws Exception {
    Config config = system.settings().config();
    log.info("Starting orderflow node {} with roles {}", system.address(), roles);
    PekkoManagement.get(system).start();
    if (bootstrap) ClusterBootstrap.get(system).start();

    Database db = Database.init(system);
    Config nats = config.getConfig("orderflow.nats");
    NatsBroker broker = NatsBroker.connect(nats.getString("url"), nats.getDuration("duplicate-window"));
    Duration ackWait = nats.getDuration("ack-wait");
    broker.ensureOrderTopology(nats.getInt("max-deliver"), ackWait);

    int slices = config.getInt("orderflow.tag-slices");
    Order.init(system, slices, config.getBoolean("orderflow.publisher.fast-path")
        ? new FastPathPublisher(broker) : Order.EventListener.NONE);
    AggregateStream.init(system, slices);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-nats",
        () -> CompletableFuture.supplyAsync(() -> {
          try {
            broker.close();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Done.getInstance();
        }));

    Orders orders = new Orders(system, config.getDuration("orderflow.http.ask-timeout"));
    OrderViewRepository view = new OrderViewRepository(db);

    if (roles.has(Roles.PUBLISHER)) PublisherProjection.init(system, db, broker);

    List<JetStreamWorker> workers = new ArrayList<>();
    int batch = nats.getInt("fetch-batch");
    if (roles.has(Roles.PAYMENT)) {
      var gateway = new SimulatedPaymentGateway(new java.math.BigDecimal(config.getString("orderflow.payment.max-amount")));
      workers.add(new JetStreamWorker(broker, NatsBroker.ORDER_STREAM, NatsBroker.PAYMENT_CONSUMER, batch, ackWait,
          new PaymentWorker(orders, gateway).handler()));
    }
    if (roles.has(Roles.REVIEW)) {
      var policy = ReviewPolicy.maxQuantity(config.getInt("orderflow.review.max-quantity"));
      workers.add(new JetStreamWorker(broker, NatsBroker.ORDER_STREAM, NatsBroker.REVIEW_CONSUMER, batch, ackWait,
          new ReviewWorker(orders, policy).handler()));
    }
    if (roles.has(Roles.STREAM_PROCESSOR)) {
      workers.add(new JetStreamWorker(broker, NatsBroker.ORDER_STREAM, NatsBroker.VIEW_CONSUMER, batch, ackWait,
          new OrderViewUpdater(view).handler()));
    }
    workers.forEach(JetStreamWorker::start);
    // Workers stop taking messages before sharding hands the entities over.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-workers",
        () -> CompletableFuture.supplyAsync(() -> {
          for (JetStreamWorker w : workers) {
            try {
              w.stop();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return Done.getInstance();
        }));

    if (roles.has(Roles.HTTP)) {
      Config http = config.getConfig("orderflow.http");
      OrderRoutes routes = new OrderRoutes(system, orders, view, http.getBytes("max-body-bytes"));
      HttpServer.bind(system, "HTTP", http.getString("interface"), http.getInt("port"), routes.routes())
          .toCompletableFuture().get();
    }
    if (roles.has(Roles.GRPC)) {
      Config grpc = config.getConfig("orderflow.grpc");
      var service = new EventStoreService(system, orders, new EventIndex(db), broker,
          config.getDuration("orderflow.http.ask-timeout"));
      HttpServer.bindHttp2(system, "gRPC", grpc.getString("interface"), grpc.getInt("port"),
          EventStoreHandlerFactory.createWithServerReflection(service, system)).toCompletableFuture().get();
    }
    log.info("orderflow node {} is up", system.address());
    return new Node(system, db, broker, roles);
  }

  private Main() {}
}
