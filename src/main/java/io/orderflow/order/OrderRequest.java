package io.orderflow.order;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.orderflow.infra.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The edge of the write side: turns an order JSON body (HTTP or gRPC event_data) into a valid
 * {@link NewOrder}, or says precisely which field is wrong. Nothing invalid reaches the entity.
 */
public final class OrderRequest {
  public static final int MAX_ID_LENGTH = 128;
  public static final int MAX_ITEMS = 1000;
  public static final int MAX_QUANTITY = 10_000;
  public static final BigDecimal MAX_UNIT_PRICE = new BigDecimal("1000000");
  /** Order ids become persistence ids and header values: letters, digits and . _ : - only. */
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");
  private static final Set<String> ORDER_FIELDS =
      Set.of("order_id", "customer_id", "restaurant_id", "status", "created_on", "amount", "currency", "order_items");
  private static final Set<String> ITEM_FIELDS = Set.of("code", "name", "unit_price", "quantity");

  private static final ObjectReader READER =
      Json.MAPPER.reader()
          .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private OrderRequest() {}

  /** A bad request: {@code field} names the JSON path at fault. */
  public static final class InvalidOrder extends Exception {
    private final String field;

    public InvalidOrder(String field, String message) {
      super(field == null ? message : field + ": " + message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** Ids that may become persistence ids, subjects' companions and header values. */
  public static boolean isValidId(String id) {
    return id.length() <= MAX_ID_LENGTH && ORDER_ID.matcher(id).matches();
  }

  public static NewOrder parse(byte[] body) throws InvalidOrder {
    JsonNode root;
    try {
      root = READER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidOrder(null, "body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidOrder(null, "body cannot be read: " + e.getMessage());
    }
    return parse(root);
  }

  public static NewOrder parse(JsonNode root) throws InvalidOrder {
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new InvalidOrder(null, "body must be a JSON object (the order)");
    }
    unknownFields(root, ORDER_FIELDS, "");

    String orderId = null;
    if (present(root, "order_id")) {
      orderId = string(root, "order_id", "order_id");
      if (!orderId.isEmpty() && !isValidId(orderId)) {
        throw new InvalidOrder("order_id", "may hold only letters, digits and . _ : - (and not start with a symbol)");
      }
      if (orderId.isEmpty()) orderId = null;
    }
    String customerId = requiredId(root, "customer_id");
    String restaurantId = requiredId(root, "restaurant_id");
    if (present(root, "status")) {
      String status = string(root, "status", "status");
      if (!status.isEmpty() && !status.equals(OrderStatus.Pending.name())) {
        throw new InvalidOrder("status", "a new order is always Pending; got '" + status + "'");
      }
    }
    if (present(root, "created_on") && !root.get("created_on").isIntegralNumber()) {
      throw new InvalidOrder("created_on", "must be an integer (unix seconds); it is set by the server");
    }

    JsonNode itemsNode = root.get("order_items");
    if (itemsNode == null || itemsNode.isNull()) throw new InvalidOrder("order_items", "is required");
    if (!itemsNode.isArray()) throw new InvalidOrder("order_items", "must be an array of items");
    if (itemsNode.isEmpty()) throw new InvalidOrder("order_items", "must hold at least one item");
    if (itemsNode.size() > MAX_ITEMS) {
      throw new InvalidOrder("order_items", "holds " + itemsNode.size() + " items; at most " + MAX_ITEMS + " allowed");
    }
    List<OrderItem> items = new ArrayList<>(itemsNode.size());
    BigDecimal total = BigDecimal.ZERO.setScale(2);
    for (int i = 0; i < itemsNode.size(); i++) {
      OrderItem item = item(itemsNode.get(i), "order_items[" + i + "]");
      items.add(item);
      total = total.add(item.lineTotal());
    }

    if (present(root, "amount")) {
      BigDecimal amount = money(root.get("amount"), "amount");
      if (amount.compareTo(total) != 0) {
        throw new InvalidOrder("amount", "is " + amount.toPlainString() + " but the items add up to "
            + total.toPlainString());
      }
    }
    String currency = present(root, "currency") ? string(root, "currency", "currency") : NewOrder.DEFAULT_CURRENCY;
    if (!NewOrder.isCurrencyCode(currency)) {
      throw new InvalidOrder("currency", "must be an ISO 4217 code in capitals, such as USD or EUR; got '" + currency + "'");
    }
    return new NewOrder(orderId, customerId, restaurantId, items, total, currency);
  }

  private static OrderItem item(JsonNode node, String path) throws InvalidOrder {
    if (!node.isObject()) throw new InvalidOrder(path, "must be an object");
    unknownFields(node, ITEM_FIELDS, path + ".");
    String code = string(node, "code", path + ".code").trim();
    if (code.isEmpty()) throw new InvalidOrder(path + ".code", "must not be empty");
    if (code.length() > MAX_ID_LENGTH) throw new InvalidOrder(path + ".code", "is longer than " + MAX_ID_LENGTH);
    String name = present(node, "name") ? string(node, "name", path + ".name") : "";
    if (name.length() > 256) throw new InvalidOrder(path + ".name", "is longer than 256");
    if (!present(node, "unit_price")) throw new InvalidOrder(path + ".unit_price", "is required");
    BigDecimal price = money(node.get("unit_price"), path + ".unit_price");
    if (price.compareTo(MAX_UNIT_PRICE) > 0) {
      throw new InvalidOrder(path + ".unit_price", "is over " + MAX_UNIT_PRICE.toPlainString());
    }
    JsonNode q = node.get("quantity");
    if (q == null || q.isNull()) throw new InvalidOrder(path + ".quantity", "is required");
    if (q.isNumber() && q.decimalValue().precision() - q.decimalValue().scale() > 9) {
      throw new InvalidOrder(path + ".quantity", "is over " + MAX_QUANTITY);
    }
    if (!q.isIntegralNumber() && !(q.isNumber() && isWhole(q.decimalValue()))) {
      throw new InvalidOrder(path + ".quantity", "must be a whole number");
    }
    BigDecimal qd = q.decimalValue();
    if (qd.signum() <= 0) throw new InvalidOrder(path + ".quantity", "must be greater than 0");
    if (qd.compareTo(BigDecimal.valueOf(MAX_QUANTITY)) > 0) {
      throw new InvalidOrder(path + ".quantity", "is over " + MAX_QUANTITY);
    }
    return new OrderItem(code, name, price, qd.intValueExact());
  }

  private static boolean isWhole(BigDecimal d) {
    return d.stripTrailingZeros().scale() <= 0;
  }

  /** Non-negative, at most two decimals, returned at scale 2. */
  /** Float32 rounding noise a cent amount may carry (see {@link #money}), in units in the last place. */
  private static final int FLOAT32_ULPS = 16;

  /**
   * Non-negative, to the cent, returned at scale 2. A client whose money is float32 (the original
   * Go services) writes 24.3 as 24.300001: a value within a few float32 units in the last place of
   * a cent amount is that amount; anything finer is a real fraction of a cent, and refused.
   */
  public static BigDecimal money(JsonNode node, String path) throws InvalidOrder {
    if (node == null || !node.isNumber()) throw new InvalidOrder(path, "must be a number");
    BigDecimal d = node.decimalValue();
    // Before any arithmetic: 1e300000000 is a valid JSON number that setScale would expand.
    if (d.signum() != 0 && (d.precision() - d.scale() > 15 || d.scale() > 15)) {
      throw new InvalidOrder(path, "is out of range");
    }
    if (d.signum() < 0) throw new InvalidOrder(path, "must not be negative");
    BigDecimal cents = d.setScale(2, RoundingMode.HALF_EVEN);
    if (d.compareTo(cents) != 0
        && d.subtract(cents).abs().doubleValue() > FLOAT32_ULPS * Math.ulp(cents.floatValue())) {
      throw new InvalidOrder(path, "has more than 2 decimal places");
    }
    return cents;
  }

  private static String requiredId(JsonNode root, String field) throws InvalidOrder {
    if (!present(root, field)) throw new InvalidOrder(field, "is required");
    String value = string(root, field, field).trim();
    if (value.isEmpty()) throw new InvalidOrder(field, "must not be empty");
    if (value.length() > MAX_ID_LENGTH) throw new InvalidOrder(field, "is longer than " + MAX_ID_LENGTH + " characters");
    return value;
  }

  private static String string(JsonNode node, String field, String path) throws InvalidOrder {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) throw new InvalidOrder(path, "is required");
    if (!v.isTextual()) throw new InvalidOrder(path, "must be a string");
    String s = v.textValue();
    String problem = Text.problem(s);
    if (problem != null) throw new InvalidOrder(path, problem);
    if (s.length() > MAX_ID_LENGTH && !path.endsWith(".name")) {
      throw new InvalidOrder(path, "is longer than " + MAX_ID_LENGTH + " characters");
    }
    return s;
  }

  private static boolean present(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  private static void unknownFields(JsonNode node, Set<String> known, String prefix) throws InvalidOrder {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new InvalidOrder(prefix + Text.quote(name), "unknown field; expected one of " + new java.util.TreeSet<>(known));
      }
    }
  }
}
