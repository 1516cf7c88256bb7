package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.NewOrder;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.Orders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {
  final AtomicInteger newIds = new AtomicInteger();

  /** Assigns the id with new ids new-1, new-2, …, counted. */
  NewOrder assign(NewOrder order, String key) throws OrderRequest.InvalidOrder {
    return IdempotencyKey.assignOrderId(order, key, () -> "new-" + newIds.incrementAndGet());
  }

  static NewOrder order(String orderId, String customer) throws Exception {
    return OrderRequest.parse(("{" + (orderId == null ? "" : "\"order_id\":\"" + orderId + "\",")
        + "\"customer_id\":\"" + customer + "\",\"restaurant_id\":\"r\",\"order_items\":"
        + "[{\"code\":\"A\",\"name\":\"x\",\"unit_price\":1,\"quantity\":1}]}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSameKeyAndCustomerAlwaysGiveTheSameValidOrderId() throws Exception {
    String a = assign(order(null, "c-1"), "key-1").orderId();
    assertEquals(a, assign(order(null, "c-1"), "key-1").orderId());
    assertTrue(OrderRequest.isValidId(a), a);
    assertNotEquals(a, assign(order(null, "c-1"), "key-2").orderId());
    assertNotEquals(a, assign(order(null, "c-2"), "key-1").orderId());
  }

  @Test
  void withoutAKeyTheClientsIdIsKeptOrANewOneIsFixedBeforeTheEntityIsAsked() throws Exception {
    assertEquals("o-1", assign(order("o-1", "c"), null).orderId());
    assertEquals("new-1", assign(order(null, "c"), null).orderId());
    assertEquals("new-2", assign(order(null, "c"), null).orderId());
    assign(order(null, "c"), "key-1");
    assertEquals(2, newIds.get(), "a new id is made only for an order with neither an id nor a key");
    String random = ((Orders) (orderId, command) -> null).newOrderId();
    assertTrue(OrderRequest.isValidId(random), random);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a b", "tab\tkey", "caf\u00e9", "nul\u0000", "\ud800"})
  void keysThatAreNotVisibleAsciiAreRefused(String key) {
    var e = assertThrows(OrderRequest.InvalidOrder.class, () -> assign(order(null, "c"), key));
    assertEquals("Idempotency-Key", e.field());
  }

  @Test
  void keyLengthIsBounded() throws Exception {
    assign(order(null, "c"), "k".repeat(255));
    assertThrows(OrderRequest.InvalidOrder.class, () -> assign(order(null, "c"), "k".repeat(256)));
  }

  @Test
  void aKeyWithAnOrderIdIsAmbiguousAndRefused() {
    var e = assertThrows(OrderRequest.InvalidOrder.class,
        () -> assign(order("o-1", "c"), "key-1"));
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
  }
}
