package io.orderflow.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Version 2 of {@link Order.OrderCreated} and {@link Order.State}: the field {@code currency}
 * was added. Everything written before it (journal rows of version 1, replies from nodes of the
 * previous version during a rolling upgrade) was in US dollars. Registered in
 * serialization.conf; the serializer then writes manifests {@code <class>#2}.
 */
public class CurrencyMigration extends JacksonMigration {
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion < 2 && json instanceof ObjectNode root && target(root) instanceof ObjectNode o
        && !o.hasNonNull("currency")) {
      o.put("currency", NewOrder.DEFAULT_CURRENCY);
    }
    return json;
  }

  /** The object that holds the currency. */
  JsonNode target(ObjectNode root) {
    return root;
  }

  /**
   * {@link Order.Create}: a migration applies to the class named in the manifest, and the
   * currency sits in the {@link NewOrder} inside it (a Create from a node of the previous version).
   */
  public static final class InCreate extends CurrencyMigration {
    @Override
    JsonNode target(ObjectNode root) {
      return root.get("order");
    }
  }
}
