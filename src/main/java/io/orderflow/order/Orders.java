package io.orderflow.order;

import io.orderflow.infra.NewPersistenceIds;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
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
   * Creates the order (a server-generated id when the request has none). Completes once the
   * OrderCreated event is journaled; a repeat of the same order completes with it unchanged.
   */
  default CompletionStage<Order.State> create(NewOrder order) {
    NewOrder withId = order.orderId() == null ? order.withOrderId(newOrderId()) : order;
    long now = Instant.now().getEpochSecond();
    return ask(withId.orderId(), replyTo -> new Order.Create(withId, now, replyTo));
  }

  /** A random id for an order that has none: no event can exist for it yet. */
  default String newOrderId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The entities under cluster sharding. A generated id is marked new for as long as the create's
   * ask may take, so that the journal skips the recovery query of its entity if it starts on this
   * node ({@link NewPersistenceIds}).
   */
  static Orders sharded(ActorSystem<?> system, Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
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
      public String newOrderId() {
        String orderId = Orders.super.newOrderId();
        newIds.add(Order.persistenceIdOf(orderId), askTimeout);
        return orderId;
      }
    };
  }
}
