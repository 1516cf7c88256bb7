package io.orderflow.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nats.client.api.MessageInfo;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.eventstore.grpc.Response;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The gRPC EventStore through the generated Pekko gRPC client, over a real socket. */
class EventStoreIT {
  static TestDatabase db;
  static TestNats nats;
  static TestNode node;
  static EventStoreClient client;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
    node = TestNode.start(db, nats.url());
    client = EventStoreClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcPort, node.node.system()).withTls(false),
        node.node.system());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.close();
    nats.close();
    db.close();
  }

  static Response create(Event e) throws Exception {
    return client.createEvent(e).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static List<Event> byAggregate(String id) throws Exception {
    return client.getEvents(EventFilter.newBuilder().setAggregateId(id).build())
        .toCompletableFuture().get(20, TimeUnit.SECONDS).getEventsList();
  }

  static Event.Builder orderCreated(String id, String json) {
    return Event.newBuilder().setAggregateType("order").setEventType("order.created").setAggregateId(id)
        .setEventData(json);
  }

  @Test
  void orderCreatedByCreateEventReachesApprovedAndItsEventsReadBack() throws Exception {
    String id = "grpc-" + UUID.randomUUID();
    Response r = create(orderCreated(id, Fixtures.approvable(null)).setEventId(UUID.randomUUID().toString()).build());
    assertTrue(r.getIsSuccess(), r.getError());
    assertEquals("Approved", Fixtures.awaitFinal(node.url(""), id, Duration.ofSeconds(30)).get("status").asText());
    List<Event> events = byAggregate(id);
    assertEquals(Fixtures.APPROVED_EVENTS, events.stream().map(Event::getEventType).toList());
    assertEquals("order", events.get(0).getAggregateType());
    assertTrue(events.get(0).getEventData().contains("\"customer_id\":\"c-approve\""));
    // Same body again: idempotent, as over HTTP; a different one under the id is refused.
    assertTrue(create(orderCreated(id, Fixtures.approvable(null)).build()).getIsSuccess());
    Response conflict = create(orderCreated(id, Fixtures.declinable(null)).build());
    assertFalse(conflict.getIsSuccess());
    assertTrue(conflict.getError().contains("already exists"), conflict.getError());
    // One event by its id.
    List<Event> one = client.getEvents(EventFilter.newBuilder().setEventId(events.get(1).getEventId()).build())
        .toCompletableFuture().get(10, TimeUnit.SECONDS).getEventsList();
    assertEquals(List.of(events.get(1)), one);
  }

  @Test
  void genericEventIsJournaledOncePerEventIdReadBackAndPublishedOnce() throws Exception {
    String aggregate = "acct-" + UUID.randomUUID();
    String eventId = "ev-" + UUID.randomUUID();
    Event e = Event.newBuilder().setEventId(eventId).setAggregateType("ledger").setAggregateId(aggregate)
        .setEventType("ledger.entry.posted").setEventData("{\"amount\": 12.5}").build();
    assertTrue(create(e).getIsSuccess());
    assertTrue(create(e).getIsSuccess(), "a repeated event_id is acknowledged");
    Event second = e.toBuilder().setEventId("").setEventType("ledger.entry.reversed").build();
    assertTrue(create(second).getIsSuccess());

    List<Event> events = byAggregate(aggregate); // read-your-writes: straight from the journal
    assertEquals(List.of("ledger.entry.posted", "ledger.entry.reversed"), events.stream().map(Event::getEventType).toList());
    assertEquals(eventId, events.get(0).getEventId());
    assertEquals(36, events.get(1).getEventId().length(), "server-assigned id");
    assertEquals("{\"amount\": 12.5}", events.get(0).getEventData());
    assertEquals("ledger", events.get(0).getStream());
    assertEquals(1, db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "ledger|" + aggregate)
        - 1, "two events journaled, the repeat not");

    List<Event> byId = client.getEvents(EventFilter.newBuilder().setEventId(eventId).build())
        .toCompletableFuture().get(10, TimeUnit.SECONDS).getEventsList();
    assertEquals(List.of(events.get(0)), byId);
    assertEquals(0, client.getEvents(EventFilter.newBuilder().setEventId("no-such-event").build())
        .toCompletableFuture().get(10, TimeUnit.SECONDS).getEventsCount());
    assertEquals(0, byAggregate("no-such-aggregate").size());

    Eventually.await(Duration.ofSeconds(20), "both events in stream ledger", () ->
        nats.messages("ledger").stream().filter(m -> aggregate.equals(m.getHeaders().getFirst("Aggregate-Id"))).count() == 2);
    List<MessageInfo> published = nats.messages("ledger").stream()
        .filter(m -> aggregate.equals(m.getHeaders().getFirst("Aggregate-Id"))).toList();
    assertEquals(List.of("ledger.entry.posted", "ledger.entry.reversed"), published.stream().map(MessageInfo::getSubject).toList());
    assertEquals(eventId, published.get(0).getHeaders().getFirst("Event-Id"));
    assertEquals("ledger", published.get(0).getHeaders().getFirst("Aggregate-Type"));
    assertEquals("{\"amount\": 12.5}", new String(published.get(0).getData()));
  }

  static Stream<Arguments> badEvents() {
    Event ok = Event.newBuilder().setEventId("e1").setAggregateType("ledger").setAggregateId("a1")
        .setEventType("ledger.posted").setEventData("{}").build();
    return Stream.of(
        Arguments.of(ok.toBuilder().setEventType("other.posted").build(), "must start with 'ledger.'"),
        Arguments.of(ok.toBuilder().setEventType("ledger.*").build(), "event_type"),
        Arguments.of(ok.toBuilder().setEventType("ledger.").build(), "event_type"),
        Arguments.of(ok.toBuilder().setEventType("").build(), "event_type is required"),
        Arguments.of(ok.toBuilder().setAggregateType("").build(), "aggregate_type is required"),
        Arguments.of(ok.toBuilder().setAggregateType("Led ger").build(), "aggregate_type"),
        Arguments.of(ok.toBuilder().setAggregateType("a".repeat(33)).build(), "aggregate_type"),
        Arguments.of(ok.toBuilder().setAggregateId("").build(), "aggregate_id is required"),
        Arguments.of(ok.toBuilder().setAggregateId("a>b").build(), "aggregate_id"),
        Arguments.of(ok.toBuilder().setAggregateId("x".repeat(129)).build(), "aggregate_id"),
        Arguments.of(ok.toBuilder().setEventId("bad id").build(), "event_id"),
        Arguments.of(ok.toBuilder().setEventData("{oops").build(), "event_data is not valid JSON"),
        Arguments.of(ok.toBuilder().setEventData("").build(), "event_data is required"),
        Arguments.of(ok.toBuilder().setEventData("[\"" + "x".repeat(70_000) + "\"]").build(), "at most 65536"),
        Arguments.of(ok.toBuilder().setStream("s".repeat(129)).build(), "stream is 129 characters"),
        Arguments.of(ok.toBuilder().setEventData("{\"note\":\"a\\u0000b\"}").build(), "event_data.note holds control characters"),
        Arguments.of(ok.toBuilder().setEventData("{\"note\":\"\\ud800\"}").build(), "event_data.note holds an unpaired UTF-16 surrogate"),
        Arguments.of(ok.toBuilder().setEventData("{\"\\u0000\":1}").build(), "field name that holds control characters"),
        Arguments.of(ok.toBuilder().setAggregateId("a\u0000b").build(), "aggregate_id holds control characters"),
        Arguments.of(ok.toBuilder().setEventId("e\u0001").build(), "event_id holds control characters"),
        Arguments.of(orderCreated("o-bad", "{\"customer_id\":\"\\ud800\",\"restaurant_id\":\"r\",\"order_items\":"
            + "[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}]}").build(), "customer_id holds an unpaired"),
        Arguments.of(orderCreated("o-bad", "{\"customer_id\":\"c\"}").build(), "event_data: restaurant_id"),
        Arguments.of(orderCreated("o-bad", Fixtures.approvable("another-id")).build(), "differs from aggregate_id"),
        Arguments.of(orderCreated("o-bad", Fixtures.approvable(null)).setEventType("order.approved").build(),
            "order o-bad does not exist"),
        Arguments.of(orderCreated("o-bad", "{}").setEventType("order.exploded").build(), "not an order event"));
  }

  @ParameterizedTest
  @MethodSource("badEvents")
  void ruleViolationsAnswerIsSuccessFalseNamingTheProblemAndWriteNothing(Event bad, String mention) throws Exception {
    long before = db.count("SELECT count(*) FROM event_journal");
    Response r = create(bad);
    assertFalse(r.getIsSuccess());
    assertTrue(r.getError().contains(mention), () -> "error was: " + r.getError());
    assertEquals(before, db.count("SELECT count(*) FROM event_journal"));
  }

  static Stream<Arguments> badLookups() {
    return Stream.of(
        Arguments.of(EventFilter.newBuilder().setAggregateId("a|b").build(), "aggregate_id"),
        Arguments.of(EventFilter.newBuilder().setAggregateId("a\u0000b").build(), "aggregate_id holds control characters"),
        Arguments.of(EventFilter.newBuilder().setEventId("a|b").build(), "event_id"),
        Arguments.of(EventFilter.newBuilder().setEventId("Order|a|b:1").build(), "event_id"),
        Arguments.of(EventFilter.newBuilder().setEventId("e\u0000").build(), "event_id holds control characters"));
  }

  @ParameterizedTest
  @MethodSource("badLookups")
  void idsWithReservedCharactersAreInvalidArgumentsForGetEventsAndSubscribeEvents(EventFilter bad, String mention)
      throws Exception {
    var get = assertThrows(ExecutionException.class,
        () -> client.getEvents(bad).toCompletableFuture().get(10, TimeUnit.SECONDS));
    StatusRuntimeException status = (StatusRuntimeException) get.getCause();
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getStatus().getCode());
    assertTrue(status.getStatus().getDescription().contains(mention), status.getStatus().getDescription());
    if (!bad.getAggregateId().isEmpty()) {
      var sub = assertThrows(ExecutionException.class, () -> client.subscribeEvents(bad)
          .runWith(Sink.seq(), node.node.system()).toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertEquals(Status.Code.INVALID_ARGUMENT, ((StatusRuntimeException) sub.getCause()).getStatus().getCode());
    }
  }

  @Test
  void liveFeedDeliversAnOrdersEventsThroughApproved() throws Exception {
    String id = "live-" + UUID.randomUUID();
    var received = client.subscribeEvents(EventFilter.newBuilder().setAggregateId(id).build())
        .takeWhile(e -> !e.getEventType().equals("order.approved"), true)
        .completionTimeout(Duration.ofSeconds(30))
        .runWith(Sink.seq(), node.node.system());
    Thread.sleep(300); // the subscription is in place before the order exists
    assertTrue(create(orderCreated(id, Fixtures.approvable(null)).build()).getIsSuccess());
    List<Event> events = received.toCompletableFuture().get(40, TimeUnit.SECONDS);
    assertEquals(Fixtures.APPROVED_EVENTS, events.stream().map(Event::getEventType).toList());
  }
}
