package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.infra.NewPersistenceIds;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestStack;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP order API against a node with a real PostgreSQL and nats-server. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrderApiIT {
  @RegisterExtension
  static final TestStack stack = new TestStack();

  static long journaled(String orderId) throws Exception {
    return stack.db().count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + orderId);
  }

  @Test
  @Order(1)
  void acceptedOrderIsInTheJournalWhenThe201Arrives() throws Exception {
    Http.Reply r = Http.post(stack.node().url("/api/orders"), Fixtures.approvable(null));
    assertEquals(201, r.status(), r.body());
    JsonNode order = r.json();
    String id = order.get("order_id").asText();
    assertEquals(36, id.length(), "a generated UUID");
    assertEquals("Pending", order.get("status").asText());
    assertEquals(0, order.get("amount").decimalValue().compareTo(new java.math.BigDecimal("42.5")));
    assertTrue(Math.abs(order.get("created_on").asLong() - Instant.now().getEpochSecond()) < 60);
    // No waiting: the reply comes after the journal write (the pipeline may already have added more).
    assertEquals(1,
        stack.db().count("SELECT count(*) FROM event_journal WHERE persistence_id = ? AND sequence_number = 1",
        "Order|" + id));
    var tags = stack.db().rows(
        "SELECT DISTINCT t.tag FROM event_journal j JOIN event_tag t ON t.event_id = j.ordering WHERE j.persistence_id = ?",
        "Order|" + id);
    assertEquals(1, tags.size(), "all events of an order in one slice");
    assertTrue(tags.get(0).get(0).toString().matches("slice-[0-3]"), "tagged into one of 4 slices");
  }

  @Test
  @Order(2)
  void sameBodyAgainAnswersTheSameOrderAndADifferentOneConflicts() throws Exception {
    String id = "o-" + UUID.randomUUID();
    Http.Reply first = Http.post(stack.node().url("/api/orders"), Fixtures.approvable(id));
    assertEquals(201, first.status(), first.body());
    Http.Reply again = Http.post(stack.node().url("/api/orders"), Fixtures.approvable(id));
    assertEquals(201, again.status(), again.body());
    assertEquals(id, again.json().get("order_id").asText());
    assertEquals(first.json().get("created_on"), again.json().get("created_on"));
    Http.Reply conflict = Http.post(stack.node().url("/api/orders"), Fixtures.order(id, "someone-else", "8.50", 5));
    assertEquals(409, conflict.status(), conflict.body());
    assertTrue(conflict.json().get("error").asText().contains("already exists"));
    Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    // created, debited, approved: the repeats added nothing.
    assertEquals(3, journaled(id));
  }

  static Stream<Arguments> badRequests() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 1001; i++) many.append(i == 0 ? "" : ",").append("{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}");
    String huge = "{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\""
        + "x".repeat(70_000) + "\",\"unit_price\":1,\"quantity\":1}]}";
    String badCust = "bad-input";
    return Stream.of(
        Arguments.of("{\"customer_id\":", "application/json", 400, "not valid JSON"),
        Arguments.of("{\"customer_id\":7,\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}]}", "application/json", 400, "customer_id"),
        Arguments.of("{\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}]}",
            "application/json", 400, "customer_id"),
        Arguments.of("{\"customer_id\":\"\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}]}", "application/json", 400, "customer_id"),
        Arguments.of("{\"customer_id\":\"" + badCust + "\",\"restaurant_id\":\"r\",\"order_items\":[]}",
            "application/json", 400, "order_items"),
        Arguments.of(Fixtures.order(null, badCust, "1", 0), "application/json", 400, "order_items[0].quantity"),
        Arguments.of(Fixtures.order(null, badCust, "-1", 1), "application/json", 400, "order_items[0].unit_price"),
        Arguments.of("{\"customer_id\":\"" + badCust
            + "\",\"restaurant_id\":\"r\",\"amount\":1,\"order_items\":[{\"code\":\"A\",\"unit_price\":2,\"quantity\":1}]}", "application/json", 400, "amount"),
        Arguments.of(Fixtures.order("x".repeat(129), badCust, "1", 1), "application/json", 400, "order_id"),
        Arguments.of("{\"customer_id\":\"" + badCust + "\",\"restaurant_id\":\"r\",\"order_items\":[" + many + "]}",
            "application/json", 400, "order_items"),
        Arguments.of("{\"customer_id\":\"" + badCust
            + "\",\"restaurant_id\":\"r\",\"extra\":1,\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1}]}", "application/json", 400, "extra"),
        Arguments.of(huge, "application/json", 413, "larger than 65536"),
        Arguments.of(Fixtures.approvable(null), "text/plain", 415, "application/json"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  @Order(3)
  void badInputGetsItsStatusAndAnErrorNamingTheField(String body, String contentType, int status, String mention)
      throws Exception {
    long before = stack.db().count("SELECT count(*) FROM event_journal");
    Http.Reply r = Http.post(stack.node().url("/api/orders"), body, contentType);
    assertEquals(status, r.status(), r.body());
    String error = r.json().get("error").asText();
    assertTrue(error.contains(mention), () -> "error was: " + error);
    assertEquals(before, stack.db().count("SELECT count(*) FROM event_journal"), "nothing journaled");
  }

  @Test
  @Order(4)
  void readModelAndEventsEndpoints() throws Exception {
    String id = "o-" + UUID.randomUUID();
    assertEquals(201, Http.post(stack.node().url("/api/orders"), Fixtures.order(id, "c-list", "2.25", 3)).status());
    JsonNode done = Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    assertEquals("Approved", done.get("status").asText());
    assertEquals("6.75", done.get("amount").decimalValue().toPlainString());
    assertEquals(3, done.get("order_items").get(0).get("quantity").asInt());
    assertTrue(done.get("payment_id").asText().startsWith("pay_"));

    JsonNode listed = Http.get(stack.node().url("/api/orders?status=Approved&customer_id=c-list&limit=10")).json();
    assertEquals(1, listed.get("orders").size());
    assertEquals(id, listed.get("orders").get(0).get("order_id").asText());
    assertEquals(400, Http.get(stack.node().url("/api/orders?status=Lost")).status());
    assertEquals(400, Http.get(stack.node().url("/api/orders?limit=0")).status());

    JsonNode events = Http.get(stack.node().url("/api/orders/" + id + "/events")).json().get("events");
    assertEquals(Fixtures.APPROVED_EVENTS,
        Stream.of(0, 1, 2).map(i -> events.get(i).get("event_type").asText()).toList());
    assertEquals(404, Http.get(stack.node().url("/api/orders/nope")).status());
    assertEquals(404, Http.get(stack.node().url("/api/orders/nope/events")).status());
  }

  @Test
  @Order(5)
  void eventsAreStillServedAfterTheNodeIsStoppedAndStartedAgain() throws Exception {
    String id = "o-" + UUID.randomUUID();
    assertEquals(201, Http.post(stack.node().url("/api/orders"), Fixtures.approvable(id)).status());
    stack.restartNode();
    Http.Reply events = Http.get(stack.node().url("/api/orders/" + id + "/events"));
    assertEquals(200, events.status(), events.body());
    assertEquals("order.created", events.json().get("events").get(0).get("event_type").asText());
    // The restarted node finishes the order and still knows it as the same order.
    Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    assertEquals(201, Http.post(stack.node().url("/api/orders"), Fixtures.approvable(id)).status());
    assertEquals(3, journaled(id));
  }

  @Test
  @Order(6)
  void idempotencyKeyRepeatsAnswerTheSameOrderAndNeverJournalItTwice() throws Exception {
    String key = "checkout-" + UUID.randomUUID();
    String url = stack.node().url("/api/orders");
    Http.Reply first = Http.post(url, Fixtures.approvable(null), "application/json", "Idempotency-Key", key);
    assertEquals(201, first.status(), first.body());
    String id = first.json().get("order_id").asText();
    Http.Reply again = Http.post(url, Fixtures.approvable(null), "application/json", "Idempotency-Key", key);
    assertEquals(201, again.status(), again.body());
    assertEquals(id, again.json().get("order_id").asText());
    assertEquals(first.json().get("created_on"), again.json().get("created_on"), "the same order, not a new one");
    JsonNode events = Http.get(stack.node().url("/api/orders/" + id + "/events")).json().get("events");
    assertEquals("order.created", events.get(0).get("event_type").asText());
    for (int i = 1; i < events.size(); i++) {
      assertTrue(!events.get(i).get("event_type").asText().equals("order.created"), "created once: " + events);
    }

    // The same key with another body is another request under the same id: 409, as for order_id.
    Http.Reply other = Http.post(url, Fixtures.order(null, "c-approve", "8.50", 6), "application/json",
        "Idempotency-Key", key);
    assertEquals(409, other.status(), other.body());
    // Another customer's identical key is another order.
    Http.Reply otherCustomer = Http.post(url, Fixtures.order(null, "c-other", "8.50", 5), "application/json",
        "Idempotency-Key", key);
    assertEquals(201, otherCustomer.status(), otherCustomer.body());
    assertTrue(!otherCustomer.json().get("order_id").asText().equals(id));

    assertEquals("Approved", Fixtures.awaitFinal(stack.node().url(""), id,
        Duration.ofSeconds(30)).get("status").asText());
    assertEquals(3, journaled(id));
    assertEquals(201, Http.post(url, Fixtures.approvable(null), "application/json", "Idempotency-Key", key).status());
    assertEquals(3, journaled(id), "a repeat after the order finished changes nothing");
  }

  @Test
  @Order(7)
  void badIdempotencyKeysAreRefusedAndNothingIsJournaled() throws Exception {
    long before = stack.db().count("SELECT count(*) FROM event_journal");
    String url = stack.node().url("/api/orders");
    for (String key : new String[] {"has space", "x".repeat(256)}) {
      Http.Reply r = Http.post(url, Fixtures.approvable(null), "application/json", "Idempotency-Key", key);
      assertEquals(400, r.status(), key + ": " + r.body());
      assertTrue(r.json().get("error").asText().startsWith("Idempotency-Key:"), r.body());
    }
    Http.Reply both = Http.post(url, Fixtures.approvable("o-" + UUID.randomUUID()), "application/json",
        "Idempotency-Key", "k-1");
    assertEquals(400, both.status(), both.body());
    assertTrue(both.json().get("error").asText().contains("not both"), both.body());
    assertEquals(before, stack.db().count("SELECT count(*) FROM event_journal"));
  }

  @Test
  @Order(8)
  void anOrderWhoseIdTheNodeMadeUpRecoversWithoutAQuery() throws Exception {
    String url = stack.node().url("/api/orders");
    NewPersistenceIds newIds = NewPersistenceIds.get(stack.node().node.system());
    long before = newIds.taken();
    for (int i = 0; i < 3; i++) {
      Http.Reply r = Http.post(url, Fixtures.approvable(null));
      assertEquals(201, r.status(), r.body());
      assertFalse(newIds.take("Order|" + r.json().get("order_id").asText()), "the mark ends with the create");
    }
    assertEquals(before + 3, newIds.taken(), "each new entity answered from the mark, not the database");

    Http.Reply own = Http.post(url, Fixtures.approvable("o-" + UUID.randomUUID()));
    assertEquals(201, own.status(), own.body());
    Http.Reply keyed = Http.post(url, Fixtures.approvable(null), "application/json", "Idempotency-Key",
        "k-" + UUID.randomUUID());
    assertEquals(201, keyed.status(), keyed.body());
    assertEquals(before + 3, newIds.taken(), "an id the client chose or derived from its key is looked up");
  }

  @Test
  @Order(9)
  void anEntityLeavesMemoryWhenItsOrderIsDoneAndComesBackWhenAsked() throws Exception {
    String url = stack.node().url("/api/orders");
    String approved = Http.post(url, Fixtures.approvable(null)).json().get("order_id").asText();
    String declined = Http.post(url, Fixtures.declinable(null)).json().get("order_id").asText();
    String rejected = Http.post(url, Fixtures.rejectable(null)).json().get("order_id").asText();
    for (String id : List.of(approved, declined, rejected)) {
      Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    }
    // A rejected order is done once refunded (OrderTest): it is the refund's event that stops it.
    Eventually.await(Duration.ofSeconds(15), "the three done orders' entities stopped", () -> {
      Set<String> live = liveOrderEntities();
      return !live.contains(approved) && !live.contains(declined) && !live.contains(rejected);
    });
    assertEquals(1, stack.db().count("SELECT count(*) FROM event_journal WHERE persistence_id = ? AND "
        + "event_ser_manifest LIKE '%Refunded%'", "Order|" + rejected), "the rejected order was refunded");

    // Asked again, the entity is recovered from its journal, whole, answers, and leaves again.
    Http.Reply again = Http.post(url, Fixtures.approvable(approved));
    assertEquals(201, again.status(), again.body());
    assertEquals("Approved", again.json().get("status").asText(), again.body());
    assertEquals(3, journaled(approved), "the repeat adds nothing to its journal");
    Eventually.await(Duration.ofSeconds(15), "the entity started for the repeat stopped",
        () -> !liveOrderEntities().contains(approved));
  }

  @Order(10)
  @ParameterizedTest(name = "{1} body of 70,000 bytes -> {2}")
  @MethodSource("refusedBodies")
  void aRefusedBodyIsReadSoTheAnswerArrivesAndTheConnectionStaysUsable(byte[] body, String type, int status)
      throws Exception {
    // Answering before the body has arrived would make the server close the connection, and a
    // client still writing its body would see a reset instead of the answer.
    URI base = URI.create(stack.node().url(""));
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      out.write(("POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\nContent-Length: "
          + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      // The body's first part, then a pause, as a client on a slower link sends it.
      out.write(body, 0, 1_000);
      out.flush();
      Thread.sleep(500);
      out.write(body, 1_000, body.length - 1_000);
      out.flush();
      List<String> refused = readResponse(in);
      assertTrue(refused.get(0).contains(" " + status + " "), refused.toString());
      assertFalse(refused.stream().anyMatch(h -> h.equalsIgnoreCase("Connection: close")),
          "the connection is kept: " + refused);
      out.write("GET /api/orders?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      List<String> next = readResponse(in);
      assertTrue(next.get(0).contains(" 200 "), "the next request on the same connection: " + next);
    }
  }

  static Stream<Arguments> refusedBodies() {
    byte[] large = ("{\"customer_id\":\"" + "z".repeat(70_000) + "\"}").getBytes(StandardCharsets.US_ASCII);
    return Stream.of(Arguments.of(large, "application/json", 413), Arguments.of(large, "text/plain", 415));
  }

  /** The status line and headers of one response; its body (by Content-Length) is read and dropped. */
  static List<String> readResponse(InputStream in) throws IOException {
    List<String> head = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != -1; ) {
      if (c == '\n') {
        String l = line.toString().strip();
        line.setLength(0);
        if (l.isEmpty()) break;
        head.add(l);
      } else {
        line.append((char) c);
      }
    }
    assertFalse(head.isEmpty(), "an answer");
    int length = head.stream().filter(h -> h.toLowerCase().startsWith("content-length:"))
        .mapToInt(h -> Integer.parseInt(h.substring(15).strip())).findFirst().orElse(0);
    assertEquals(length, in.readNBytes(length).length, "the whole body");
    return head;
  }

  static Set<String> liveOrderEntities() throws Exception {
    var system = stack.node().node.system();
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(io.orderflow.order.Order.ENTITY_KEY, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get();
    return state.getShards().stream().flatMap(s -> s.getEntityIds().stream()).collect(Collectors.toSet());
  }
}
