package io.orderflow.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nats.client.Connection;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.eventstore.grpc.Response;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What clients cannot do to the broker and the database through the EventStore, however they call it. */
class EventStoreLimitsIT {
  static final int MAX_SUBSCRIPTIONS = 200;
  static TestDatabase db;
  static TestNats nats;
  static TestNode node;
  static EventStoreClient client;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
    node = TestNode.start(db, nats.url(), Map.of("orderflow.eventstore.max-subscriptions", MAX_SUBSCRIPTIONS));
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

  static Event generic(String type, String aggregateId) {
    return Event.newBuilder().setAggregateType(type).setAggregateId(aggregateId).setEventType(type + ".happened")
        .setEventData("{\"n\": 1}").build();
  }

  static Status.Code statusOf(Event e) {
    var failure = assertThrows(ExecutionException.class,
        () -> client.createEvent(e).toCompletableFuture().get(20, TimeUnit.SECONDS));
    return ((StatusRuntimeException) failure.getCause()).getStatus().getCode();
  }

  @Test
  void noSequenceOfCallsMakesMoreThan16GenericStreams() throws Exception {
    long existing;
    try (Connection nc = nats.connect()) {
      existing = nc.jetStreamManagement().getStreamNames().stream().filter(s -> !s.equals("order")).count();
    }
    for (int i = 0; i < 16 - existing; i++) {
      Response r = client.createEvent(generic("kind" + i, "a-1")).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertTrue(r.getIsSuccess(), r.getError());
    }
    long before = db.count("SELECT count(*) FROM event_journal");
    for (long i = 16 - existing; i < 40; i++) assertEquals(Status.Code.RESOURCE_EXHAUSTED, statusOf(generic("kind" + i, "a-1")));
    assertEquals(before, db.count("SELECT count(*) FROM event_journal"), "a refused event is not journaled");
    // The streams that exist take events as before.
    assertTrue(client.createEvent(generic("kind3", "a-2")).toCompletableFuture().get(20, TimeUnit.SECONDS).getIsSuccess());
    try (Connection nc = nats.connect()) {
      List<String> streams = nc.jetStreamManagement().getStreamNames();
      assertEquals(16, streams.stream().filter(s -> !s.equals("order")).count(), streams.toString());
    }
  }

  @Test
  void subscribersCostTheDatabaseNothingWhileIdleAndAreCapped() throws Exception {
    String aggregate = "watched-1";
    assertTrue(client.createEvent(generic("ledger", aggregate)).toCompletableFuture().get(20, TimeUnit.SECONDS)
        .getIsSuccess());
    Thread.sleep(3000); // the node settles (its projections poll at a steady rate)
    double idleRate = commitsPerSecond(Duration.ofSeconds(4));

    List<UniqueKillSwitch> subscribers = new ArrayList<>();
    List<List<String>> seen = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
        List<String> types = new CopyOnWriteArrayList<>();
        seen.add(types);
        subscribers.add(client.subscribeEvents(EventFilter.newBuilder().setAggregateId(aggregate).build())
            .viaMat(KillSwitches.single(), Keep.right())
            .toMat(Sink.foreach(e -> types.add(e.getEventType())), Keep.left())
            .run(node.node.system()));
      }
      Eventually.await(Duration.ofSeconds(30), "every subscriber to read the past", () ->
          seen.stream().allMatch(types -> types.equals(List.of("ledger.happened"))));
      // One over the cap is refused.
      var refused = assertThrows(ExecutionException.class, () -> client
          .subscribeEvents(EventFilter.newBuilder().setAggregateId(aggregate).build())
          .runWith(Sink.seq(), node.node.system()).toCompletableFuture().get(20, TimeUnit.SECONDS));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, ((StatusRuntimeException) refused.getCause()).getStatus().getCode());

      // PostgreSQL counts an idle backend's commits up to 10 s late: let the past reads land first.
      Thread.sleep(11_000);
      double subscribedRate = commitsPerSecond(Duration.ofSeconds(4));
      System.out.printf("database commits/s: %.0f idle, %.0f with %d idle subscribers%n", idleRate, subscribedRate,
          MAX_SUBSCRIPTIONS);
      // A live query per subscriber would add ~50 commits/s each (10,000/s for 200): allow well under 1 each.
      assertTrue(subscribedRate - idleRate < MAX_SUBSCRIPTIONS / 2.0,
          "200 idle subscribers must not multiply the commit rate: " + idleRate + "/s idle, " + subscribedRate
              + "/s with them");

      // And each of them still sees a new event of its aggregate, live.
      assertTrue(client.createEvent(generic("ledger", aggregate).toBuilder().setEventType("ledger.closed").build())
          .toCompletableFuture().get(20, TimeUnit.SECONDS).getIsSuccess());
      Eventually.await(Duration.ofSeconds(30), "every subscriber to get the past and the live event", () ->
          seen.stream().allMatch(types -> types.equals(List.of("ledger.happened", "ledger.closed"))));
    } finally {
      subscribers.forEach(UniqueKillSwitch::shutdown);
    }
    // Ended subscriptions give their slots back.
    Eventually.await(Duration.ofSeconds(10), "a new subscription to be accepted", () -> {
      var one = client.subscribeEvents(EventFilter.newBuilder().setAggregateId(aggregate).build())
          .take(1).runWith(Sink.seq(), node.node.system());
      return one.toCompletableFuture().get(10, TimeUnit.SECONDS).size() == 1;
    });
  }

  /** Transactions committed in this test's database per second, over {@code window}. */
  static double commitsPerSecond(Duration window) throws Exception {
    long before = commits();
    Thread.sleep(window.toMillis());
    return (commits() - before) * 1000.0 / window.toMillis();
  }

  static long commits() throws Exception {
    return db.count("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
  }
}
