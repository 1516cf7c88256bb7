package io.orderflow.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OrderRequestTest {
  static final String ITEM = "{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":8.5,\"quantity\":5}";

  static NewOrder parse(String json) throws OrderRequest.InvalidOrder {
    return OrderRequest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void validOrderComputesTheAmountExactly() throws Exception {
    NewOrder o = parse("{\"customer_id\":\"c-1\",\"restaurant_id\":\"r-1\",\"order_items\":["
        + "{\"code\":\"A\",\"name\":\"x\",\"unit_price\":0.1,\"quantity\":3},"
        + "{\"code\":\"B\",\"name\":\"y\",\"unit_price\":0.2,\"quantity\":1}]}");
    assertNull(o.orderId());
    assertEquals(new BigDecimal("0.50"), o.amount()); // 0.1*3 + 0.2 is not 0.5 in floating point
    assertEquals(2, o.orderItems().size());
  }

  @Test
  void acceptsTheOriginalServicesFullOrderShape() throws Exception {
    NewOrder o = parse("{\"order_id\":\"o-1\",\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"status\":\"Pending\","
        + "\"created_on\":1700000000,\"amount\":42.50,\"order_items\":[" + ITEM + "]}");
    assertEquals("o-1", o.orderId());
    assertEquals(new BigDecimal("42.50"), o.amount());
  }

  @Test
  void float32MoneyOfTheOriginalServicesIsReadToTheCent() throws Exception {
    // Go's encoding/json writes float32 8.1 * 3 as 24.300001 and 0.1 * 3 as 0.3 (the shortest float32 text).
    NewOrder o = parse("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"amount\":24.300001,\"order_items\":["
        + "{\"code\":\"A\",\"name\":\"x\",\"unit_price\":8.1,\"quantity\":3}]}");
    assertEquals(new BigDecimal("24.30"), o.amount());
    NewOrder p = parse("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"amount\":0.3,\"order_items\":["
        + "{\"code\":\"A\",\"name\":\"x\",\"unit_price\":0.1,\"quantity\":3}]}");
    assertEquals(new BigDecimal("0.30"), p.amount());
    NewOrder q = parse("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":["
        + "{\"code\":\"A\",\"name\":\"x\",\"unit_price\":0.30000001,\"quantity\":1}]}");
    assertEquals(new BigDecimal("0.30"), q.orderItems().get(0).unitPrice());
  }

  static Stream<Arguments> badInputs() {
    String big = "x".repeat(129);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 1001; i++) many.append(i == 0 ? "" : ",").append(ITEM);
    return Stream.of(
        Arguments.of("{not json", null, "not valid JSON"),
        Arguments.of("[1,2]", null, "JSON object"),
        Arguments.of("{\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "customer_id", "required"),
        Arguments.of("{\"customer_id\":\"  \",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "customer_id", "empty"),
        Arguments.of("{\"customer_id\":42,\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "customer_id", "string"),
        Arguments.of("{\"customer_id\":\"" + big + "\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "customer_id", "longer"),
        Arguments.of("{\"order_id\":\"" + big + "\",\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "order_id", "longer"),
        Arguments.of("{\"order_id\":\"a|b\",\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "order_id", "letters"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\"}", "order_items", "required"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[]}", "order_items", "at least one"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":{}}", "order_items", "array"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[" + many + "]}", "order_items", "at most 1000"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":1,\"quantity\":0}]}", "order_items[0].quantity", "greater than 0"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":1,\"quantity\":-2}]}", "order_items[0].quantity", "greater than 0"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":1,\"quantity\":1.5}]}", "order_items[0].quantity", "whole number"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":1,\"quantity\":\"2\"}]}", "order_items[0].quantity", "whole number"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":-1,\"quantity\":1}]}", "order_items[0].unit_price", "negative"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":1.001,\"quantity\":1}]}", "order_items[0].unit_price", "2 decimal"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"n\",\"unit_price\":\"1\",\"quantity\":1}]}", "order_items[0].unit_price", "number"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"\",\"name\":\"n\",\"unit_price\":1,\"quantity\":1}]}", "order_items[0].code", "empty"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1,\"color\":\"red\"}]}", "order_items[0].color", "unknown field"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"amount\":10,\"order_items\":[" + ITEM + "]}", "amount", "add up to 42.50"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"amount\":\"42.5\",\"order_items\":[" + ITEM + "]}", "amount", "number"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"code\":\"A1\",\"order_items\":[" + ITEM + "]}", "code", "unknown field"),
        Arguments.of("{\"customer_id\":\"c\",\"customer_id\":\"d\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", null, "Duplicate field"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"status\":\"Approved\",\"order_items\":[" + ITEM + "]}", "status", "always Pending"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"name\":\"Pho\\u0000\",\"unit_price\":1,\"quantity\":1}]}", "order_items[0].name", "control characters"),
        Arguments.of("{\"customer_id\":\"\\ud800\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "customer_id", "unpaired UTF-16 surrogate"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\\u0000\",\"order_items\":[" + ITEM + "]}", "restaurant_id", "control characters"),
        Arguments.of("{\"order_id\":\"a\\udc00\",\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "order_id", "unpaired"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\\ud83d\",\"unit_price\":1,\"quantity\":1}]}", "order_items[0].code", "unpaired"),
        Arguments.of("{\"customer_id\":\"c\",\"\\u0000\":1,\"restaurant_id\":\"r\",\"order_items\":[" + ITEM + "]}", "\\u0000", "unknown field"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":8.505,\"quantity\":1}]}", "order_items[0].unit_price", "2 decimal"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"amount\":1e300000000,\"order_items\":[" + ITEM + "]}", "amount", "out of range"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1e-300000000,\"quantity\":1}]}", "order_items[0].unit_price", "out of range"),
        Arguments.of("{\"customer_id\":\"c\",\"restaurant_id\":\"r\",\"order_items\":[{\"code\":\"A\",\"unit_price\":1,\"quantity\":1e300000000}]}", "order_items[0].quantity", "is over"));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputNamesTheField(String json, String field, String message) {
    OrderRequest.InvalidOrder e = assertThrows(OrderRequest.InvalidOrder.class, () -> parse(json));
    assertEquals(field, e.field());
    assertTrue(e.getMessage().contains(message), () -> "message was: " + e.getMessage());
  }
}
