package io.orderflow.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.eventstore.grpc.Response;
import io.orderflow.testing.ErrorLog;
import io.orderflow.testing.Fuzz;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 hostile EventStore calls from a seeded generator: CreateEvent answers is_success with a
 * reason, or a status that names the client's problem (INVALID_ARGUMENT, FAILED_PRECONDITION,
 * RESOURCE_EXHAUSTED), never INTERNAL/UNKNOWN/UNAVAILABLE; lookups answer or INVALID_ARGUMENT;
 * no ERROR is logged. Reproduce with {@code -Dfuzz.seed=N}.
 */
class GrpcFuzzIT {
  static final int CASES = 10_000;
  static final Set<Status.Code> CLIENT_ERRORS =
      Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED);
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

  static final List<String> AGGREGATE_TYPES = List.of("order", "ledger", "invoice", "", "Order", "a.b", "x".repeat(33));
  static final List<String> EVENT_SUFFIXES = List.of("created", "payment.debited", "payment.declined", "approved",
      "rejected", "payment.refunded", "posted", "*", ">", "", "a..b");

  static Event event(Fuzz fuzz) {
    String type = fuzz.chance(6) ? fuzz.text() : fuzz.pick(AGGREGATE_TYPES);
    String eventType = fuzz.chance(6) ? fuzz.text() : type + "." + fuzz.pick(EVENT_SUFFIXES);
    String aggregateId = fuzz.chance(5) ? fuzz.text() : "g-" + fuzz.below(200);
    String data = fuzz.chance(3)
        ? new String(fuzz.body(fuzz.chance(2) ? aggregateId : null), StandardCharsets.UTF_8)
        : new String(Fuzz.bytes(fuzz.anyValue(0)), StandardCharsets.UTF_8);
    return Event.newBuilder()
        .setEventId(fuzz.chance(3) ? "" : fuzz.chance(4) ? fuzz.text() : "ev-" + fuzz.below(5000))
        .setEventType(eventType)
        .setAggregateId(aggregateId)
        .setAggregateType(type)
        .setEventData(data)
        .setStream(fuzz.chance(2) ? "" : fuzz.chance(2) ? type : fuzz.text())
        .build();
  }

  @Test
  void hostileCallsGetClientErrorsNeverServerErrors() throws Exception {
    Fuzz fuzz = new Fuzz();
    int errorsBefore = ErrorLog.mark();
    Map<String, Integer> outcomes = new HashMap<>();
    for (int i = 0; i < CASES; i++) {
      String outcome;
      if (fuzz.below(10) < 8) {
        Event e = event(fuzz);
        try {
          Response r = client.createEvent(e).toCompletableFuture().get(20, TimeUnit.SECONDS);
          if (!r.getIsSuccess()) assertFalse(r.getError().isBlank(), "seed " + fuzz.seed + ": no reason for " + e);
          outcome = r.getIsSuccess() ? "success" : "refused";
        } catch (ExecutionException failure) {
          outcome = clientError(failure, fuzz, e.toString());
        }
      } else {
        EventFilter f = EventFilter.newBuilder()
            .setEventId(fuzz.chance(2) ? "" : fuzz.chance(2) ? fuzz.text() : "Order|g-" + fuzz.below(200) + ":1")
            .setAggregateId(fuzz.chance(3) ? "" : fuzz.chance(2) ? fuzz.text() : "g-" + fuzz.below(200))
            .build();
        try {
          client.getEvents(f).toCompletableFuture().get(20, TimeUnit.SECONDS);
          outcome = "found";
        } catch (ExecutionException failure) {
          outcome = clientError(failure, fuzz, f.toString());
        }
      }
      outcomes.merge(outcome, 1, Integer::sum);
    }
    System.out.println("gRPC fuzz, seed " + fuzz.seed + ": " + outcomes);
    assertTrue(outcomes.getOrDefault("success", 0) > 0, "some calls were valid: " + outcomes);
    assertEquals(List.of(), ErrorLog.since(errorsBefore), "seed " + fuzz.seed + ": nothing logged as an error");
  }

  static String clientError(ExecutionException failure, Fuzz fuzz, String call) {
    if (failure.getCause() instanceof StatusRuntimeException s && CLIENT_ERRORS.contains(s.getStatus().getCode())) {
      return s.getStatus().getCode().name();
    }
    return fail("seed " + fuzz.seed + ": " + failure.getCause() + " for " + call);
  }
}
