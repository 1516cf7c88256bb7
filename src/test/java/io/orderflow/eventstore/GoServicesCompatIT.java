package io.orderflow.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.api.MessageInfo;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.eventstore.grpc.Response;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Go design's own services, replayed call for call against orderflow's EventStore: what its
 * ordersvc, paymentsvc and reviewsvc send to CreateEvent, value for value. The facts, from the
 * original's published source (shijuvar/go-distributed-sys): the proto's {@code Event} message;
 * {@code aggregate_type} "order"; the label in field 6 ({@code stream}, "Orders"; its 2020
 * NATS-Streaming version put the event name there, "order-created"); {@code event_id} a fresh UUID
 * per call; ordersvc's {@code event_data} its {@code pb.OrderCreateCommand} as Go's encoding/json
 * writes it (order_id, customer_id, status "Pending", created_on unix seconds, restaurant_id,
 * amount, order_items with code, name, unit_price, quantity; amount and unit_price are float32,
 * so 8.1 × 3 is written 24.300001; zero values omitted); paymentsvc's its
 * {@code OrderPaymentDebitedCommand} {order_id, customer_id, amount}; reviewsvc sends
 * {@code order.approved} with empty event_data.
 */
class GoServicesCompatIT {
  static TestDatabase externalDb;
  static TestNats externalNats;
  /** The original layout: orderflow as the event store only, payment and review done by the Go services. */
  static TestNode eventStoreOnly;
  static TestDatabase fullDb;
  static TestNats fullNats;
  /** orderflow with its own workers: external facts meet internal ones. */
  static TestNode full;

  @BeforeAll
  static void start() throws Exception {
    externalDb = TestDatabase.create();
    externalNats = new TestNats();
    eventStoreOnly = TestNode.start(externalDb, externalNats.url(),
        Map.of("orderflow.roles", "shard,http,grpc,publisher,stream-processor"));
    fullDb = TestDatabase.create();
    fullNats = new TestNats();
    full = TestNode.start(fullDb, fullNats.url());
  }

  @AfterAll
  static void stop() throws Exception {
    eventStoreOnly.close();
    externalNats.close();
    externalDb.close();
    full.close();
    fullNats.close();
    fullDb.close();
  }

  static EventStoreClient client(TestNode node) {
    return EventStoreClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcPort, node.node.system()).withTls(false),
        node.node.system());
  }

  static Response call(EventStoreClient c, Event e) throws Exception {
    return c.createEvent(e).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** ordersvc: CreateEvent for a new order, with its OrderCreateCommand JSON. */
  static Event ordersvc(String orderId, String stream) {
    String data = "{\"order_id\":\"" + orderId + "\",\"customer_id\":\"c-go\",\"status\":\"Pending\","
        + "\"created_on\":1700000000,\"restaurant_id\":\"r-go\",\"amount\":24.300001,"
        + "\"order_items\":[{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":8.1,\"quantity\":3}]}";
    return Event.newBuilder().setEventId(UUID.randomUUID().toString()).setEventType("order.created")
        .setAggregateId(orderId).setAggregateType("order").setEventData(data).setStream(stream).build();
  }

  /** paymentsvc: CreateEvent order.payment.debited, with its OrderPaymentDebitedCommand JSON. */
  static Event paymentsvc(String orderId, String amount) {
    return Event.newBuilder().setEventId(UUID.randomUUID().toString()).setEventType("order.payment.debited")
        .setAggregateId(orderId).setAggregateType("order")
        .setEventData("{\"order_id\":\"" + orderId + "\",\"customer_id\":\"c-go\",\"amount\":" + amount + "}")
        .setStream("Orders").build();
  }

  /** reviewsvc: CreateEvent order.approved, event_data empty. */
  static Event reviewsvc(String orderId) {
    return Event.newBuilder().setEventId(UUID.randomUUID().toString()).setEventType("order.approved")
        .setAggregateId(orderId).setAggregateType("order").setEventData("").setStream("Orders").build();
  }

  @Test
  void theGoServicesDriveAnOrderToApprovedThroughGrpcAlone() throws Exception {
    EventStoreClient c = client(eventStoreOnly);
    try {
      String orderId = UUID.randomUUID().toString();
      Event created = ordersvc(orderId, "Orders");
      Event debited = paymentsvc(orderId, "24.300001");
      Event approved = reviewsvc(orderId);
      for (Event e : List.of(created, debited, approved)) {
        Response r = call(c, e);
        assertTrue(r.getIsSuccess(), e.getEventType() + ": " + r.getError());
        if (e == created) {
          // Nothing of orderflow's own pays it: these roles are left out.
          Thread.sleep(500);
          assertEquals("Pending", Fixtures.awaitStatus(eventStoreOnly.url(""), orderId, "Pending", Duration.ofSeconds(20))
              .get("status").asText());
        }
      }
      // The read model: Approved, to the cent, paid by the Go service's debit (its event id is the payment id).
      JsonNode order = Fixtures.awaitStatus(eventStoreOnly.url(""), orderId, "Approved", Duration.ofSeconds(30));
      assertEquals(0, new BigDecimal("24.30").compareTo(order.get("amount").decimalValue()));
      assertEquals(debited.getEventId(), order.get("payment_id").asText());

      // GetEvents: the three events with the ids and the label the services gave them.
      List<Event> events = c.getEvents(EventFilter.newBuilder().setAggregateId(orderId).build())
          .toCompletableFuture().get(20, TimeUnit.SECONDS).getEventsList();
      assertEquals(List.of("order.created", "order.payment.debited", "order.approved"),
          events.stream().map(Event::getEventType).toList());
      assertEquals(List.of(created.getEventId(), debited.getEventId(), approved.getEventId()),
          events.stream().map(Event::getEventId).toList());
      events.forEach(e -> assertEquals("Orders", e.getStream()));
      for (Event sent : List.of(created, debited, approved)) {
        List<Event> one = c.getEvents(EventFilter.newBuilder().setEventId(sent.getEventId()).build())
            .toCompletableFuture().get(20, TimeUnit.SECONDS).getEventsList();
        assertEquals(1, one.size(), "GetEvents by event_id " + sent.getEventType());
        assertEquals(sent.getEventType(), one.get(0).getEventType());
      }

      // The stream: each event once, on its subject, with the client's event id.
      Eventually.await(Duration.ofSeconds(20), "three messages in stream order", () ->
          externalNats.messages("order").stream().filter(m -> orderId.equals(m.getHeaders().getFirst("Aggregate-Id")))
              .count() == 3);
      List<MessageInfo> messages = externalNats.messages("order").stream()
          .filter(m -> orderId.equals(m.getHeaders().getFirst("Aggregate-Id"))).toList();
      assertEquals(List.of("order.created", "order.payment.debited", "order.approved"),
          messages.stream().map(MessageInfo::getSubject).toList());
      assertEquals(approved.getEventId(), messages.get(2).getHeaders().getFirst("Event-Id"));
      assertEquals("Order|" + orderId + ":3", messages.get(2).getHeaders().getFirst("Nats-Msg-Id"));
    } finally {
      c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theLifecycleRulesStillDecideAndARepeatedEventIdIsRecordedOnce() throws Exception {
    EventStoreClient c = client(eventStoreOnly);
    try {
      String orderId = UUID.randomUUID().toString();
      assertTrue(call(c, ordersvc(orderId, "order-created")).getIsSuccess(), "the 2020 services' label too");
      Response early = call(c, reviewsvc(orderId));
      assertFalse(early.getIsSuccess());
      assertTrue(early.getError().contains("is Pending: only a Paid order can be approved"), early.getError());
      Response wrong = call(c, paymentsvc(orderId, "20"));
      assertFalse(wrong.getIsSuccess());
      assertTrue(wrong.getError().contains("does not pay it"), wrong.getError());

      Event debit = paymentsvc(orderId, "24.3");
      assertTrue(call(c, debit).getIsSuccess());
      assertTrue(call(c, debit).getIsSuccess(), "the same event again is acknowledged");
      assertTrue(call(c, debit.toBuilder().setEventType("order.rejected").build()).getIsSuccess(),
          "an event id already recorded is that event, whatever else the repeat says");
      assertEquals(2, externalDb.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + orderId),
          "created and one debit; nothing else");
      assertEquals("Paid", Fixtures.awaitStatus(eventStoreOnly.url(""), orderId, "Paid", Duration.ofSeconds(20))
          .get("status").asText());
    } finally {
      c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withOrderflowsOwnWorkersAnExternalDebitOfAPaidOrderIsANoOpNotADoubleDebit() throws Exception {
    EventStoreClient c = client(full);
    try {
      String orderId = UUID.randomUUID().toString();
      assertTrue(call(c, ordersvc(orderId, "Orders")).getIsSuccess());
      Fixtures.awaitFinal(full.url(""), orderId, Duration.ofSeconds(30)); // orderflow's own workers: Approved
      Response again = call(c, paymentsvc(orderId, "24.300001"));
      assertTrue(again.getIsSuccess(), again.getError());
      assertEquals(List.of("order.created", "order.payment.debited", "order.approved"),
          fullDb.rows("SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number",
              "Order|" + orderId).stream().map(r -> typeOf((String) r.get(0))).toList());
      assertEquals("Approved", Http.get(full.url("/api/orders/" + orderId)).json().get("status").asText());
    } finally {
      c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static String typeOf(String manifest) {
    if (manifest.contains("OrderCreated")) return "order.created";
    if (manifest.contains("PaymentDebited")) return "order.payment.debited";
    if (manifest.contains("OrderApproved")) return "order.approved";
    return manifest;
  }
}
