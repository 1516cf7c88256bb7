package io.orderflow.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.infra.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** currency at the edge (a known ISO 4217 code, USD when absent) and in the version-2 migration. */
class CurrencyTest {
  static final String BODY = "{\"customer_id\":\"c\",\"restaurant_id\":\"r\",%s\"order_items\":["
      + "{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":8.5,\"quantity\":5}]}";

  static NewOrder parse(String currencyField) throws OrderRequest.InvalidOrder {
    return OrderRequest.parse(String.format(BODY, currencyField).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anOrderWithoutCurrencyIsInDollarsAndOneWithACodeKeepsIt() throws Exception {
    assertEquals("USD", parse("").currency());
    assertEquals("EUR", parse("\"currency\":\"EUR\",").currency());
    assertEquals("JPY", parse("\"currency\":\"JPY\",").currency());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"eur\"", "\"EURO\"", "\"E\"", "\"\"", "\"XYZ\"", "\"US D\"", "978", "true"})
  void anythingButAKnownCodeIsRefusedNamingTheField(String value) {
    var e = assertThrows(OrderRequest.InvalidOrder.class, () -> parse("\"currency\":" + value + ","));
    assertEquals("currency", e.field());
  }

  @Test
  void versionOneJsonGainsDollarsAndVersionTwoIsLeftAlone() throws Exception {
    CurrencyMigration m = new CurrencyMigration();
    assertEquals(2, m.currentVersion());
    ObjectNode v1 = (ObjectNode) Json.MAPPER.readTree("{\"orderId\":\"o-1\",\"amount\":1}");
    assertEquals("USD", m.transform(1, v1).get("currency").asText());
    ObjectNode v2 = (ObjectNode) Json.MAPPER.readTree("{\"orderId\":\"o-1\",\"currency\":\"EUR\"}");
    assertEquals("EUR", m.transform(2, v2).get("currency").asText());
    ObjectNode create = (ObjectNode) Json.MAPPER.readTree("{\"order\":{\"orderId\":\"o-1\"},\"createdOn\":1}");
    new CurrencyMigration.InCreate().transform(1, create);
    assertEquals("USD", create.get("order").get("currency").asText());
    assertFalse(create.has("currency"), "the command itself has no currency");
  }

  @Test
  void theJdkDecidesWhatIsACode() {
    assertTrue(NewOrder.isCurrencyCode("CHF"));
    assertFalse(NewOrder.isCurrencyCode("ABC"));
    assertFalse(NewOrder.isCurrencyCode(null));
  }
}
