package io.orderflow.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.orderflow.eventstore.AggregateStream;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Journal rows written by the previous version (src/test/resources/journal-v1) read by this one,
 * through Pekko's serialization with the nodes' settings: each event in its current shape.
 */
class JournalV1Test {
  static final Path DIR = Path.of("src", "test", "resources", "journal-v1");

  /** One row of rows.tsv with its payload. */
  record Row(String persistenceId, long seqNr, int serializerId, String manifest, byte[] payload) {
    static List<Row> all() throws Exception {
      List<Row> rows = new ArrayList<>();
      for (String line : Files.readAllLines(DIR.resolve("rows.tsv"))) {
        String[] f = line.split("\t");
        rows.add(new Row(f[0], Long.parseLong(f[1]), Integer.parseInt(f[4]), f[5], Files.readAllBytes(DIR.resolve(f[6]))));
      }
      return rows;
    }
  }

  static ActorTestKit testKit;
  static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf")
        .withFallback(ConfigFactory.defaultReference()).resolve());
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Object read(Row r) {
    return serialization.deserialize(r.payload(), r.serializerId(), r.manifest()).get();
  }

  static final List<OrderItem> PHO = List.of(new OrderItem("A1", "Pho", new BigDecimal("8.50"), 5));

  @Test
  void everyRowReadsIntoTheCurrentShapeWithCurrencyUsd() throws Exception {
    Map<String, Object> read = new LinkedHashMap<>();
    for (Row r : Row.all()) read.put(r.persistenceId() + ":" + r.seqNr(), read(r));
    assertEquals(9, read.size(), "every fixture row");
    assertEquals(new Order.OrderCreated("v1-approved", "c-1", "r-1", PHO, new BigDecimal("42.50"), "USD", 1795776556L),
        read.get("Order|v1-approved:1"));
    assertEquals(new Order.PaymentDebited("v1-approved", "pay_e4da8ca0-b5db-3f61-a20e-5233a65b7bf9"),
        read.get("Order|v1-approved:2"));
    assertEquals(new Order.OrderApproved("v1-approved"), read.get("Order|v1-approved:3"));
    assertEquals(new Order.OrderCreated("v1-declined", "c-2", "r-1",
            List.of(new OrderItem("A1", "Big", new BigDecimal("600.00"), 2)), new BigDecimal("1200.00"), "USD",
            1795776556L),
        read.get("Order|v1-declined:1"));
    assertEquals(new Order.PaymentDeclined("v1-declined", "amount 1200.00 exceeds the limit of 1000"),
        read.get("Order|v1-declined:2"));
    assertEquals("USD", ((Order.OrderCreated) read.get("Order|v1-rejected:1")).currency());
    assertEquals(new Order.OrderRejected("v1-rejected", "total quantity 101 exceeds 100"),
        read.get("Order|v1-rejected:3"));
    assertEquals(new AggregateStream.Appended("e-v1", "ledger.entry.posted", "ledger", "acct-1", "{\"amount\": 12.5}"),
        read.get("ledger|acct-1:1"));
  }

  @Test
  void oldOrdersReplayToTheStateTheyHadWithDollars() throws Exception {
    Map<String, Order.State> states = new LinkedHashMap<>();
    for (Row r : Row.all()) {
      if (!r.persistenceId().startsWith("Order|")) continue;
      String id = r.persistenceId().substring("Order|".length());
      states.put(id, states.getOrDefault(id, Order.State.empty(id)).apply((Order.Event) read(r)));
    }
    assertEquals(OrderStatus.Approved, states.get("v1-approved").status());
    assertEquals(OrderStatus.Declined, states.get("v1-declined").status());
    assertEquals(OrderStatus.Rejected, states.get("v1-rejected").status());
    states.values().forEach(s -> assertEquals("USD", s.currency(), s.orderId()));
    // The same order asked for again is recognised as the same order (currency included).
    NewOrder same = new NewOrder("v1-approved", "c-1", "r-1", PHO, new BigDecimal("42.50"), "USD");
    assertTrue(Order.decide(states.get("v1-approved"), new Order.Create(same, 1L, null)) instanceof Order.Decision.Unchanged);
  }

  @Test
  void theCurrentVersionWritesVersionTwoAndReadsItBackUnchanged() {
    var euro = new Order.OrderCreated("o-2", "c", "r", PHO, new BigDecimal("42.50"), "EUR", 1L);
    var serializer = serialization.findSerializerFor(euro);
    String manifest = Serializers.manifestFor(serializer, euro);
    assertEquals("io.orderflow.order.Order$OrderCreated#2", manifest);
    assertEquals(euro, serialization.deserialize(serialization.serialize(euro).get(), serializer.identifier(), manifest).get(),
        "a version-2 event keeps its own currency");
    // Events that did not change keep plain manifests: old nodes and old rows look the same.
    var debited = new Order.PaymentDebited("o-2", "p");
    assertEquals(Order.PaymentDebited.class.getName(), Serializers.manifestFor(serialization.findSerializerFor(debited), debited));
  }

  @Test
  void withoutTheMigrationOldOrderCreatedRowsCannotBeRead() throws Exception {
    // What the migration is for: the bare serializer refuses a version-1 OrderCreated.
    ActorTestKit bare = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialization-bindings { \"io.orderflow.infra.CborSerializable\" = jackson-cbor }")
        .withFallback(ConfigFactory.defaultReference()).resolve());
    try {
      Serialization s = SerializationExtension.get(bare.system().classicSystem());
      Row created = Row.all().get(0);
      assertEquals("io.orderflow.order.Order$OrderCreated", created.manifest());
      var result = s.deserialize(created.payload(), created.serializerId(), created.manifest());
      assertTrue(result.isFailure(), "read without the migration: " + result);
      assertTrue(result.failed().get().toString().contains("currency"), result.failed().get().toString());
    } finally {
      bare.shutdownTestKit();
    }
  }
}
