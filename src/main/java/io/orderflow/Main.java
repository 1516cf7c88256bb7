package io.orderflow;

import com.typesafe.config.Config;
import io.orderflow.eventstore.AggregateStream;
import io.orderflow.eventstore.EventStoreService;
import io.orderflow.http.OrderRoutes;
import io.orderflow.infra.Database;
import io.orderflow.infra.NatsBroker;
import io.orderflow.infra.NodeConfig;
import io.orderflow.infra.Readiness;
import io.orderflow.infra.Roles;
import io.orderflow.metrics.Metrics;
import io.orderflow.metrics.NodeGauges;
import io.orderflow.metrics.OrderMetrics;
import io.orderflow.order.Order;
import io.orderflow.order.Orders;
import io.orderflow.payment.PaymentWorker;
import io.orderflow.payment.RefundWorker;
import io.orderflow.publish.FastPathPublisher;
import io.orderflow.publish.PublisherProjection;
import io.orderflow.review.ReviewWorker;
import io.orderflow.view.OrderViewUpdater;
import io.orderflow.worker.JetStreamWorker;
import io.orderflow.worker.Worker;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a node: its configuration, the cluster, then each part its roles ask for, in the order of the data flow. */
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

  /** The JetStream workers, each declared by its feature. */
  static final List<Worker> WORKERS =
      List.of(PaymentWorker.WORKER, ReviewWorker.WORKER, RefundWorker.WORKER, OrderViewUpdater.WORKER);

  /** Every role a node can take (ROLES). */
  public static Set<String> knownRoles() {
    Set<String> roles = new TreeSet<>(Roles.CORE);
    WORKERS.forEach(w -> roles.add(w.role()));
    return roles;
  }

  /** {@code java -jar orderflow.jar [command]}: see {@link Cli}. */
  public static void main(String[] args) {
    System.exit(Cli.run(args));
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
    NodeConfig node = NodeConfig.resolve(overrides, knownRoles());
    ActorSystem<Void> system = node.createSystem();
    try {
      return init(system, node.roles(), node.bootstrap());
    } catch (Exception e) {
      log.error("Node failed to start", e);
      system.terminate();
      throw e;
    }
  }

  public static Node init(ActorSystem<Void> system, Roles roles, boolean bootstrap) throws Exception {
    Config config = system.settings().config();
    log.info("Starting orderflow node {} with roles {}", system.address(), roles);
    PekkoManagement.get(system).start();
    if (bootstrap) ClusterBootstrap.get(system).start();

    Database db = Database.init(system);
    NatsBroker broker = NatsBroker.connect(system);
    JetStreamWorker.declare(broker, WORKERS);

    int slices = config.getInt("orderflow.tag-slices");
    Metrics metrics = Metrics.get(system);
    Order.init(system, slices, config.getBoolean("orderflow.publisher.fast-path")
        ? new FastPathPublisher(system, broker).andThen(new OrderMetrics(metrics)) : new OrderMetrics(metrics));
    AggregateStream.init(system, slices);
    Orders orders = Orders.sharded(system, config.getDuration("orderflow.http.ask-timeout"));

    if (roles.has(Roles.PUBLISHER)) PublisherProjection.init(system, db, broker);
    NodeGauges.start(system, db, broker, WORKERS, roles);
    Worker.Context context = new Worker.Context(system, orders, db);
    for (Worker w : WORKERS) {
      if (roles.has(w.role())) JetStreamWorker.start(broker, w, context);
    }
    if (roles.has(Roles.HTTP)) OrderRoutes.init(system, orders, db, broker, WORKERS);
    if (roles.has(Roles.GRPC)) EventStoreService.init(system, orders, db, broker);
    Readiness.get(system).serversStarted();
    log.info("orderflow node {} is up", system.address());
    return new Node(system, db, broker, roles);
  }

  private Main() {}
}
