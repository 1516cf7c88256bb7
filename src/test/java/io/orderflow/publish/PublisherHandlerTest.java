package io.orderflow.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.eventstore.AggregateStream;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.apache.pekko.projection.testkit.javadsl.TestProjection;
import org.apache.pekko.projection.testkit.javadsl.TestSourceProvider;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The publisher's handler in Pekko's projection test kit: journal batches in, JetStream messages out, no broker. */
class PublisherHandlerTest {
  static ActorTestKit testKit;
  static ProjectionTestKit projections;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static final List<OrderItem> ITEMS = List.of(new OrderItem("A1", "Pho", new BigDecimal("8.50"), 5));
  static long offset = 0;

  static EventEnvelope<Object> env(String persistenceId, long seqNr, Object event) {
    offset++;
    return EventEnvelope.create(Sequence.apply(offset), persistenceId, seqNr, event, 1_700_000_000_000L + offset);
  }

  static EventEnvelope<Object> order(String id, long seqNr, Order.Event event) {
    return env("Order|" + id, seqNr, event);
  }

  /** Runs the batches through a projection whose handler publishes to {@code sink}, until {@code check} holds. */
  static void run(List<List<EventEnvelope<Object>>> batches, EventSink sink, OrderStates.Replay replay,
      org.apache.pekko.japi.function.Effect check) {
    var source = TestSourceProvider.<Long, List<EventEnvelope<Object>>>create(Source.from(batches),
        batch -> ((Sequence) batch.get(batch.size() - 1).offset()).value());
    var projection = TestProjection.create(ProjectionId.of("publisher-test", "slice-" + offset), source,
        () -> new PublisherHandler(sink, new OrderStates(replay, 100)));
    projections.run(projection, Duration.ofSeconds(5), check);
  }

  static final OrderStates.Replay NO_REPLAY = (pid, id, seq) -> {
    throw new AssertionError("no replay expected for " + pid);
  };

  static final class Recorder implements EventSink {
    final List<Outgoing> published = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableFuture<Boolean> publish(Outgoing m) {
      published.add(m);
      return CompletableFuture.completedFuture(false);
    }
  }

  static JsonNode body(Outgoing m) {
    try {
      return Json.MAPPER.readTree(m.body());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void eachOrderEventGoesToItsSubjectWithTheOrdersStateAfterIt() throws Exception {
    Recorder sink = new Recorder();
    var created = new Order.OrderCreated("o-1", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 1L);
    run(List.of(
            List.of(order("o-1", 1, created), order("o-1", 2, new Order.PaymentDebited("o-1", "pay-1"))),
            List.of(order("o-1", 3, new Order.OrderApproved("o-1")))),
        sink, NO_REPLAY, () -> assertEquals(3, sink.published.size()));

    assertEquals(List.of("order.created", "order.payment.debited", "order.approved"),
        sink.published.stream().map(Outgoing::subject).toList());
    assertEquals(List.of("Pending", "Paid", "Approved"), sink.published.stream()
        .map(m -> body(m).get("status").asText()).toList());
    Outgoing approved = sink.published.get(2);
    assertEquals("order", approved.stream());
    assertEquals("Order|o-1:3", approved.msgId());
    assertEquals("Order|o-1:3", approved.headers().getFirst("Event-Id"));
    assertEquals("o-1", approved.headers().getFirst("Aggregate-Id"));
    assertEquals("order", approved.headers().getFirst("Aggregate-Type"));
    assertEquals("order.approved", approved.headers().getFirst("Event-Type"));
    assertEquals("3", approved.headers().getFirst("Seq-Nr"));
    JsonNode state = body(approved);
    assertEquals("pay-1", state.get("payment_id").asText());
    assertTrue(new String(approved.body(), StandardCharsets.UTF_8).contains("\"amount\":42.50"), "money to the cent");
    assertEquals(5, state.get("order_items").get(0).get("quantity").asInt());
  }

  @Test
  void anOrderFirstSeenMidwayIsReplayedFromTheJournal() throws Exception {
    Recorder sink = new Recorder();
    AtomicInteger replays = new AtomicInteger();
    OrderStates.Replay replay = (pid, id, toSeq) -> {
      replays.incrementAndGet();
      assertEquals("Order|o-2", pid);
      assertEquals(2, toSeq);
      return CompletableFuture.completedFuture(Order.State.empty(id)
          .apply(new Order.OrderCreated(id, "c-2", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 1L))
          .apply(new Order.PaymentDebited(id, "pay-2")));
    };
    run(List.of(List.of(order("o-2", 2, new Order.PaymentDebited("o-2", "pay-2")),
            order("o-2", 3, new Order.OrderRejected("o-2", "too many")))),
        sink, replay, () -> assertEquals(2, sink.published.size()));
    assertEquals(1, replays.get(), "one replay, then the next state is derived in memory");
    assertEquals("Rejected", body(sink.published.get(1)).get("status").asText());
    assertEquals("c-2", body(sink.published.get(1)).get("customer_id").asText());
  }

  @Test
  void aGenericEventCarriesItsClientsDataAndId() throws Exception {
    Recorder sink = new Recorder();
    run(List.of(List.of(env("ledger|acct-1", 1,
            new AggregateStream.Appended("e-1", "ledger.entry.posted", "ledger", "acct-1", "{\"amount\": 12.5}")))),
        sink, NO_REPLAY, () -> assertEquals(1, sink.published.size()));
    Outgoing m = sink.published.get(0);
    assertEquals("ledger", m.stream());
    assertEquals("ledger.entry.posted", m.subject());
    assertEquals("ledger|acct-1:1", m.msgId());
    assertEquals("e-1", m.headers().getFirst("Event-Id"));
    assertEquals("{\"amount\": 12.5}", new String(m.body(), StandardCharsets.UTF_8));
  }

  @Test
  void aFailedPublishFailsTheWholeBatchSoItsOffsetIsNotSaved() throws Exception {
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    List<String> attempts = Collections.synchronizedList(new ArrayList<>());
    EventSink flaky = m -> {
      attempts.add(m.msgId());
      if (m.msgId().endsWith(":2") && failedOnce.add(m.msgId())) {
        return CompletableFuture.failedFuture(new java.io.IOException("NATS timed out"));
      }
      return CompletableFuture.completedFuture(false);
    };
    var created = new Order.OrderCreated("o-3", "c-3", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 1L);
    var batch = List.of(order("o-3", 1, created), order("o-3", 2, new Order.PaymentDebited("o-3", "p")));
    var handler = new PublisherHandler(flaky, new OrderStates(NO_REPLAY, 100));
    var failed = assertThrows(ExecutionException.class, () -> handler.process(batch).toCompletableFuture().get());
    assertEquals("NATS timed out", failed.getCause().getMessage());
    // The projection restarts from the last saved offset: the same batch again, all of it.
    handler.process(batch).toCompletableFuture().get();
    assertEquals(List.of("Order|o-3:1", "Order|o-3:2", "Order|o-3:1", "Order|o-3:2"), attempts,
        "every message of the batch was sent both times (the stream drops the copy of :1 by its Nats-Msg-Id)");
  }

  @Test
  void eventsTheFastPathAlreadyStoredAreNotPublishedAgainButTheStateChainGoesOn() throws Exception {
    Recorder sink = new Recorder();
    StoredEvents stored = new StoredEvents(100);
    stored.add("Order|o-4", 2);
    var created = new Order.OrderCreated("o-4", "c-4", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 1L);
    new PublisherHandler(sink, new OrderStates(NO_REPLAY, 100), stored).process(List.of(
        order("o-4", 1, created), order("o-4", 2, new Order.PaymentDebited("o-4", "p")),
        order("o-4", 3, new Order.OrderApproved("o-4")))).toCompletableFuture().get();
    assertEquals(List.of("Order|o-4:1", "Order|o-4:3"), sink.published.stream().map(Outgoing::msgId).toList());
    assertEquals("p", body(sink.published.get(1)).get("payment_id").asText(), "event 3's state includes event 2");
  }
}
