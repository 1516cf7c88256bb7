package io.orderflow.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import io.orderflow.testing.PreviousVersion;
import java.io.NotSerializableException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both directions of a rolling upgrade, message by message: a node of the previous version
 * (its own classes and serialization.conf, in an isolated class loader, with Pekko's real
 * serializer) reads what the current version writes, and the reverse. What a node of the
 * previous version cannot read at all is shown too: that is why refunds wait for the rollout.
 */
class PreviousVersionTest {
  static URLClassLoader v1;
  static ActorSystem oldNode;
  static Serialization oldSer;
  static ActorTestKit newNode;
  static Serialization newSer;

  @BeforeAll
  static void start() {
    v1 = PreviousVersion.classLoader();
    Config oldConfig = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
        .withFallback(ConfigFactory.parseResources(v1, "serialization.conf"))
        .withFallback(ConfigFactory.defaultReference(v1)).resolve();
    oldNode = ActorSystem.create("v1", oldConfig, v1);
    oldSer = SerializationExtension.get(oldNode);
    newNode = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf")
        .withFallback(ConfigFactory.defaultReference()).resolve());
    newSer = SerializationExtension.get(newNode.system().classicSystem());
  }

  @AfterAll
  static void stop() throws Exception {
    newNode.shutdownTestKit();
    oldNode.terminate();
    oldNode.getWhenTerminated().toCompletableFuture().get();
    v1.close();
  }

  /** Bytes and manifest as they cross the wire or sit in the journal. */
  record Wire(byte[] bytes, int serializerId, String manifest) {
    static Wire of(Serialization s, Object o) {
      var serializer = s.findSerializerFor(o);
      return new Wire(s.serialize(o).get(), serializer.identifier(), Serializers.manifestFor(serializer, o));
    }

    Object readBy(Serialization s) {
      return s.deserialize(bytes, serializerId, manifest).get();
    }
  }

  static final List<OrderItem> ITEMS = List.of(new OrderItem("A1", "Pho", new BigDecimal("8.50"), 5));

  // ---- the previous version's objects, by reflection on its own classes ---------------------

  static Class<?> oldClass(String name) throws Exception {
    return Class.forName(name, true, v1);
  }

  static Object construct(String className, Object... args) throws Exception {
    Class<?> c = oldClass(className);
    Class<?>[] types = Arrays.stream(c.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
    return c.getDeclaredConstructor(types).newInstance(args);
  }

  static Object field(Object record, String name) throws Exception {
    return record.getClass().getMethod(name).invoke(record);
  }

  static boolean hasField(Object record, String name) {
    return Arrays.stream(record.getClass().getRecordComponents()).anyMatch(c -> c.getName().equals(name));
  }

  static List<Object> oldItems() throws Exception {
    return List.of(construct("io.orderflow.order.OrderItem", "A1", "Pho", new BigDecimal("8.50"), 5));
  }

  static Object oldStatus(String name) throws Exception {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Object status = Enum.valueOf((Class) oldClass("io.orderflow.order.OrderStatus"), name);
    return status;
  }

  // ---- new → old ----------------------------------------------------------------------------

  @Test
  void anOldNodeReadsVersionTwoEventsIgnoringTheNewField() throws Exception {
    var euro = new Order.OrderCreated("o-1", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "EUR", 1L);
    Wire wire = Wire.of(newSer, euro);
    assertEquals("io.orderflow.order.Order$OrderCreated#2", wire.manifest());
    // No migration registered on the old node: the serializer ignores "#2" and the unknown property.
    Object old = wire.readBy(oldSer);
    assertSame(v1, old.getClass().getClassLoader(), "the previous version's class");
    assertEquals("o-1", field(old, "orderId"));
    assertEquals(new BigDecimal("42.50"), field(old, "amount"));
    assertEquals(1, ((List<?>) field(old, "orderItems")).size());
    assertFalse(hasField(old, "currency"), "the previous version has no currency");
  }

  @Test
  void anOldNodeReadsCommandsAndRepliesOfANewNode() throws Exception {
    var probe = newNode.<StatusReply<Order.State>>createTestProbe();
    var create = new Order.Create(new NewOrder("o-2", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "USD"), 7L,
        probe.ref());
    Object oldCreate = Wire.of(newSer, create).readBy(oldSer);
    assertEquals("io.orderflow.order.Order$Create", oldCreate.getClass().getName());
    assertSame(v1, oldCreate.getClass().getClassLoader());
    assertEquals("c-1", field(field(oldCreate, "order"), "customerId"));
    assertEquals(7L, field(oldCreate, "createdOn"));

    Order.State state = Order.State.empty("o-2")
        .apply(new Order.OrderCreated("o-2", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 7L))
        .apply(new Order.PaymentDebited("o-2", "pay-2"))
        .apply(new Order.OrderRejected("o-2", "too many"))
        .apply(new Order.PaymentRefunded("o-2", "ref-2"));
    Object reply = Wire.of(newSer, StatusReply.success(state)).readBy(oldSer);
    Object oldState = ((StatusReply<?>) reply).getValue();
    assertSame(v1, oldState.getClass().getClassLoader());
    assertEquals("Rejected", field(oldState, "status").toString());
    assertEquals("pay-2", field(oldState, "paymentId"));
    assertFalse(hasField(oldState, "refundId"));
  }

  @Test
  void anOldNodeCannotReadARefundSoRefundsWaitForTheRollout() {
    for (Object unknown : List.of(new Order.PaymentRefunded("o-3", "ref-3"),
        new Order.RecordRefund("ref-3", newNode.<StatusReply<Order.State>>createTestProbe().ref()))) {
      Wire wire = Wire.of(newSer, unknown);
      var result = oldSer.deserialize(wire.bytes(), wire.serializerId(), wire.manifest());
      assertTrue(result.isFailure(), unknown + " read by the previous version: " + result);
      assertInstanceOf(NotSerializableException.class, result.failed().get());
      assertTrue(result.failed().get().getMessage().contains(unknown.getClass().getName()));
    }
  }

  // ---- old → new ----------------------------------------------------------------------------

  @Test
  void aNewNodeReadsAnOldNodesEventsWithDollars() throws Exception {
    Object oldEvent = construct("io.orderflow.order.Order$OrderCreated", "o-4", "c-1", "r-1", oldItems(),
        new BigDecimal("42.50"), 9L);
    Wire wire = Wire.of(oldSer, oldEvent);
    assertEquals("io.orderflow.order.Order$OrderCreated", wire.manifest(), "the previous version writes no version");
    assertEquals(new Order.OrderCreated("o-4", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "USD", 9L),
        wire.readBy(newSer));
  }

  @Test
  void aNewNodeReadsAnOldNodesCommandsAndReplies() throws Exception {
    Object oldOrder = construct("io.orderflow.order.NewOrder", "o-5", "c-1", "r-1", oldItems(),
        new BigDecimal("42.50"));
    Object oldCreate = construct("io.orderflow.order.Order$Create", oldOrder, 11L,
        Adapter.toTyped(oldNode.deadLetters()));
    var create = assertInstanceOf(Order.Create.class, Wire.of(oldSer, oldCreate).readBy(newSer));
    assertEquals(new NewOrder("o-5", "c-1", "r-1", ITEMS, new BigDecimal("42.50"), "USD"), create.order());
    assertEquals(11L, create.createdOn());

    Object oldState = construct("io.orderflow.order.Order$State", "o-5", "c-1", "r-1", oldStatus("Paid"), 11L,
        new BigDecimal("42.50"), oldItems(), "pay-5", null);
    Object reply = Wire.of(oldSer, StatusReply.success(oldState)).readBy(newSer);
    var state = assertInstanceOf(Order.State.class, ((StatusReply<?>) reply).getValue());
    assertEquals(OrderStatus.Paid, state.status());
    assertEquals("USD", state.currency());
    assertEquals("pay-5", state.paymentId());
    assertNull(state.refundId());
  }
}
