package io.orderflow.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.math.BigDecimal;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The entity itself: persisting, replying, CBOR serialization of everything, recovery. */
class OrderEntityTest {
  static ActorTestKit testKit;
  EventSourcedBehaviorTestKit<Order.Command, Order.Event, Order.State> entity;

  static final NewOrder ORDER = new NewOrder("o-1", "c-1", "r-1",
      List.of(new OrderItem("A1", "Pho", new BigDecimal("8.50"), 5)), new BigDecimal("42.50"), "USD");

  @BeforeAll
  static void start() {
    // The testkit checks that every command, event, reply and state survives CBOR serialization.
    testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
        .withFallback(ConfigFactory.parseResources("serialization.conf"))
        .resolve());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), Order.create("o-1", "slice-1", Order.EventListener.NONE));
  }

  CommandResultWithReply<Order.Command, Order.Event, Order.State, StatusReply<Order.State>> create() {
    return entity.<StatusReply<Order.State>>runCommand(replyTo -> new Order.Create(ORDER, 1_700_000_000L, replyTo));
  }

  @Test
  void createPersistsAndRepliesWithThePendingOrder() {
    var result = create();
    assertTrue(result.reply().isSuccess());
    assertEquals(OrderStatus.Pending, result.reply().getValue().status());
    assertEquals("o-1", result.eventOfType(Order.OrderCreated.class).orderId());
  }

  @Test
  void duplicateCreatePersistsNothingAndConflictIsAnError() {
    create();
    var again = create();
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
    var conflict = entity.<StatusReply<Order.State>>runCommand(replyTo -> new Order.Create(
        new NewOrder("o-1", "someone-else", "r-1", ORDER.orderItems(), ORDER.amount(), "USD"), 1L, replyTo));
    assertTrue(conflict.reply().isError());
    assertTrue(conflict.hasNoEvents());
  }

  @Test
  void stateSurvivesRestart() {
    create();
    entity.<StatusReply<Order.State>>runCommand(replyTo -> new Order.RecordPaymentDebited("pay-1", replyTo));
    entity.restart();
    Order.State recovered = entity.getState();
    assertEquals(OrderStatus.Paid, recovered.status());
    assertEquals("pay-1", recovered.paymentId());
    assertEquals(new BigDecimal("42.50"), recovered.amount());
    // After recovery a repeated create is still recognised as the same order.
    var again = create();
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
    var approved = entity.<StatusReply<Order.State>>runCommand(Order.Approve::new);
    assertEquals(OrderStatus.Approved, approved.reply().getValue().status());
  }

  @Test
  void rejectionIsRepliedAsError() {
    var result = entity.<StatusReply<Order.State>>runCommand(Order.Approve::new);
    assertTrue(result.reply().isError());
    assertTrue(result.hasNoEvents());
  }
}
