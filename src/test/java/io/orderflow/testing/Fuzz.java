package io.orderflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of hostile client input: valid orders mutated field by field (bad text,
 * odd numbers, wrong types, missing and unknown fields) and at the byte level (truncation,
 * invalid UTF-8, deep nesting, oversize). The same seed gives the same cases, so a failure is
 * reproduced with {@code -Dfuzz.seed=N}.
 */
public final class Fuzz {
  public final long seed;
  private final Random random;

  public Fuzz() {
    this(Long.getLong("fuzz.seed", System.nanoTime()));
  }

  public Fuzz(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  static final String[] TEXT = {
      "", " ", "c-1", "r-7", "Pho", "é", "日本", "a\ud83d\ude00b", "\u0000", "a\u0000b", "\u0001", "\t", "\n",
      "\u007f", "\u009f", "\ud800", "\udc00", "x\ud800y", "|", "a|b", "../../etc/passwd", "%00", "' OR 1=1 --",
      "<script>", "{}", "null", "x".repeat(129), "y".repeat(300), "\\", "\"", "\u2028", "\ufeff", "Order|o-1:1"};
  static final String[] NUMBERS = {
      "0", "-0", "1", "-1", "0.5", "0.30000001", "24.300001", "8.5", "1.005", "0.001", "1e2", "1E-2", "1e308",
      "-1e308", "1e-320", "99999999999999999999", "1000000.01", "10001", "2147483648", "-2147483649", "3.0",
      "1e300000000", "0.1e1", "123456789012345678901234567890"};

  public String text() {
    if (random.nextInt(8) == 0) {
      StringBuilder sb = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) sb.append((char) random.nextInt(0x10000));
      return sb.toString();
    }
    return TEXT[random.nextInt(TEXT.length)];
  }

  /** A number exactly as written (raw, so 1e300000000 stays 1e300000000). */
  public JsonNode number() {
    return JsonNodeFactory.instance.rawValueNode(
        new com.fasterxml.jackson.databind.util.RawValue(NUMBERS[random.nextInt(NUMBERS.length)]));
  }

  public boolean chance(int oneIn) {
    return random.nextInt(oneIn) == 0;
  }

  public int below(int n) {
    return random.nextInt(n);
  }

  public <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  /** Any JSON value. */
  public JsonNode anyValue(int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(depth > 2 ? 5 : 7)) {
      case 0 -> f.textNode(text());
      case 1 -> number();
      case 2 -> f.booleanNode(random.nextBoolean());
      case 3 -> f.nullNode();
      case 4 -> f.numberNode(random.nextInt(20) - 5);
      case 5 -> {
        ArrayNode a = f.arrayNode();
        for (int i = random.nextInt(3); i > 0; i--) a.add(anyValue(depth + 1));
        yield a;
      }
      default -> {
        ObjectNode o = f.objectNode();
        for (int i = random.nextInt(3); i > 0; i--) o.set(text(), anyValue(depth + 1));
        yield o;
      }
    };
  }

  /** A valid order, with {@code orderId} when not null. */
  public ObjectNode validOrder(String orderId) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (orderId != null) o.put("order_id", orderId);
    o.put("customer_id", "c-" + random.nextInt(1000));
    o.put("restaurant_id", "r-" + random.nextInt(50));
    ArrayNode items = o.putArray("order_items");
    int lines = 1 + random.nextInt(3);
    for (int i = 0; i < lines; i++) {
      ObjectNode item = items.addObject();
      item.put("code", "A" + i);
      item.put("name", "dish " + i);
      item.put("unit_price", new java.math.BigDecimal(random.nextInt(5000)).movePointLeft(2));
      item.put("quantity", 1 + random.nextInt(5));
    }
    return o;
  }

  /** A valid order with one to three field-level mutations. */
  public ObjectNode mutatedOrder(String orderId) {
    ObjectNode o = validOrder(orderId);
    for (int n = 1 + random.nextInt(3); n > 0; n--) mutate(o);
    return o;
  }

  private void mutate(ObjectNode order) {
    ObjectNode target = order;
    if (random.nextBoolean() && order.get("order_items") instanceof ArrayNode items && !items.isEmpty()
        && items.get(0) instanceof ObjectNode item) {
      target = item;
    }
    List<String> fields = new ArrayList<>();
    target.fieldNames().forEachRemaining(fields::add);
    String field = fields.isEmpty() ? "x" : pick(fields);
    switch (random.nextInt(9)) {
      case 0 -> target.put(field, text());
      case 1 -> target.set(field, number());
      case 2 -> target.set(field, anyValue(0));
      case 3 -> target.remove(field);
      case 4 -> target.set(pick(List.of("amount", "status", "created_on", "color", text())), anyValue(1));
      case 5 -> order.set("amount", number());
      case 6 -> target.put("status", pick(List.of("Pending", "Approved", "", "pending", text())));
      case 7 -> {
        ArrayNode items = order.putArray("order_items");
        int count = pick(List.of(0, 1, 2, 1001));
        for (int i = 0; i < count; i++) items.add(validOrder(null).get("order_items").get(0));
      }
      default -> target.put(field, text() + text());
    }
  }

  /** Body bytes: mostly a mutated order, sometimes byte-level damage. */
  public byte[] body(String orderId) {
    byte[] json = bytes(random.nextInt(5) == 0 ? validOrder(orderId) : mutatedOrder(orderId));
    return switch (random.nextInt(12)) {
      case 0 -> java.util.Arrays.copyOf(json, random.nextInt(json.length)); // truncated
      case 1 -> withByte(json, (byte) (0x80 + random.nextInt(0x80)));         // invalid UTF-8
      case 2 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.US_ASCII);
      case 3 -> duplicateKey(json);
      case 4 -> ("{\"customer_id\":\"" + "z".repeat(70_000) + "\"}").getBytes(StandardCharsets.US_ASCII);
      case 5 -> new byte[0];
      default -> json;
    };
  }

  /** JSON text with every non-ASCII character escaped, which also spells lone surrogates. */
  public static byte[] bytes(JsonNode json) {
    try {
      return Json.MAPPER.writer().with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
          .writeValueAsBytes(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] withByte(byte[] json, byte b) {
    int at = random.nextInt(json.length);
    byte[] out = new byte[json.length + 1];
    System.arraycopy(json, 0, out, 0, at);
    out[at] = b;
    System.arraycopy(json, at, out, at + 1, json.length - at);
    return out;
  }

  private static byte[] duplicateKey(byte[] json) {
    String s = new String(json, StandardCharsets.UTF_8);
    return s.replaceFirst("\\{", "{\"customer_id\":\"dup\",").getBytes(StandardCharsets.UTF_8);
  }

  /** A path segment: an id, or random bytes percent-encoded. */
  public String pathSegment() {
    if (random.nextBoolean()) return java.net.URLEncoder.encode(text(), StandardCharsets.UTF_8).replace("+", "%20");
    StringBuilder sb = new StringBuilder();
    for (int i = 1 + random.nextInt(6); i > 0; i--) sb.append(String.format("%%%02X", random.nextInt(256)));
    return sb.toString();
  }
}
