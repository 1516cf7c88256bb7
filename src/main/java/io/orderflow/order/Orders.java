package io.orderflow.order;

import io.orderflow.infra.NewPersistenceIds;
import io.orderflow.infra.Roles;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

/**
 * The one way into the Order aggregates, used by HTTP, gRPC and the workers: asks the entity
 * (wherever in the cluster it lives) and completes with its state after the command, or fails
 * with {@link StatusReply.ErrorMessage} (the entity refused) or a timeout.
 */
public interface Orders {
  CompletionStage<Order.State> ask(
      String orderId, Function<ActorRef<StatusReply<Order.State>>, Order.Command> command);

  /**
   * Creates the order; its id is fixed. Completes once the OrderCreated event is journaled; a
   * repeat of the same order completes with it unchanged.
   */
  default CompletionStage<Order.State> create(NewOrder order) {
    String orderId = Objects.requireNonNull(order.orderId(), "order id");
    long now = Instant.now().getEpochSecond();
    return ask(orderId, replyTo -> new Order.Create(order, now, replyTo));
  }

  /** As {@link #create}, for an order whose id this node has just made up with {@link #newOrderId}. */
  default CompletionStage<Order.State> createNew(NewOrder order) {
    return create(order);
  }

  /** A random id for an order that has none: no event can exist for it yet. */
  default String newOrderId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The entities under cluster sharding. While this node is the only one that hosts orders, the
   * first recovery of an id it has just made up is the first anywhere: during the ask of
   * {@link #createNew} the id is marked new, and the journal skips the recovery query
   * ({@link NewPersistenceIds}).
   */
  static Orders sharded(ActorSystem<?> system, Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Cluster cluster = Cluster.get(system);
    NewPersistenceIds newIds = NewPersistenceIds.get(system);
    return new Orders() {
      @Override
      public CompletionStage<Order.State> ask(
          String orderId, Function<ActorRef<StatusReply<Order.State>>, Order.Command> command) {
        return sharding.entityRefFor(Order.ENTITY_KEY, orderId)
            .<StatusReply<Order.State>>ask(command::apply, askTimeout)
            .thenCompose(reply -> reply.isSuccess()
                ? CompletableFuture.completedFuture(reply.getValue())
                : CompletableFuture.failedFuture(reply.getError()));
      }

      @Override
      public CompletionStage<Order.State> createNew(NewOrder order) {
        if (!onlyNodeHostingOrders()) return create(order);
        String persistenceId = Order.persistenceIdOf(order.orderId());
        newIds.add(persistenceId);
        return create(order).whenComplete((state, error) -> newIds.forget(persistenceId));
      }

      private boolean onlyNodeHostingOrders() {
        Member self = cluster.selfMember();
        if (!self.hasRole(Roles.SHARD)) return false;
        for (Member m : cluster.state().getMembers()) {
          if (m.hasRole(Roles.SHARD) && !m.equals(self)) return false;
        }
        return true;
      }
    };
  }
}
