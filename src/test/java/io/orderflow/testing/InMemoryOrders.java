package io.orderflow.testing;

import com.typesafe.config.ConfigFactory;
import io.orderflow.order.Order;
import io.orderflow.order.Orders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;

/**
 * Real Order entities (the same behavior as in production) on Pekko's in-memory journal, one
 * actor per order id, for unit tests of what talks to them: no database, no cluster.
 */
public final class InMemoryOrders implements Orders {
  private final ActorTestKit testKit;
  private final Map<String, ActorRef<Order.Command>> entities = new ConcurrentHashMap<>();

  public InMemoryOrders(ActorTestKit testKit) {
    this.testKit = testKit;
  }

  /** A test kit with the in-memory journal and the production serialization settings. */
  public static ActorTestKit testKit() {
    return ActorTestKit.create(PersistenceTestKitPlugin.config()
        .withFallback(ConfigFactory.parseResources("serialization.conf"))
        .resolve());
  }

  @Override
  public CompletionStage<Order.State> ask(
      String orderId, Function<ActorRef<StatusReply<Order.State>>, Order.Command> command) {
    ActorRef<Order.Command> entity = entities.computeIfAbsent(orderId,
        id -> testKit.spawn(Order.create(id, "slice-0", Order.EventListener.NONE)));
    return AskPattern.<Order.Command, StatusReply<Order.State>>ask(entity, command::apply, Duration.ofSeconds(3),
            testKit.scheduler())
        .thenCompose(reply -> reply.isSuccess()
            ? CompletableFuture.completedFuture(reply.getValue())
            : CompletableFuture.failedFuture(reply.getError()));
  }

  /** The entity's state now. */
  public Order.State state(String orderId) throws Exception {
    return ask(orderId, Order.Get::new).toCompletableFuture().get();
  }
}
