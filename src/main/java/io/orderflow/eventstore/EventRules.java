package io.orderflow.eventstore;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.Text;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What CreateEvent accepts. aggregate_type names a JetStream stream and event_type its
 * subject, so both are held to a safe character set; every violation is named.
 */
public final class EventRules {
  public static final int MAX_DATA_BYTES = 64 * 1024;
  public static final int MAX_STREAM_LABEL = 128;
  /** Stream names: lower case, digits, '-' and '_'. */
  private static final Pattern AGGREGATE_TYPE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  /** Subject tokens: no wildcards, no spaces, no empty tokens. */
  private static final Pattern SUBJECT_TOKENS = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

  private EventRules() {}

  public static final class InvalidEvent extends Exception {
    public InvalidEvent(String message) {
      super(message);
    }
  }

  /** Checks everything but event_data's meaning; event_id may be empty (the server assigns one). */
  public static void validate(Event e) throws InvalidEvent {
    text("event_id", e.getEventId());
    text("event_type", e.getEventType());
    text("aggregate_id", e.getAggregateId());
    text("aggregate_type", e.getAggregateType());
    text("event_data", e.getEventData());
    text("stream", e.getStream());
    String type = e.getAggregateType();
    if (type.isEmpty()) throw new InvalidEvent("aggregate_type is required");
    if (!AGGREGATE_TYPE.matcher(type).matches()) {
      throw new InvalidEvent("aggregate_type '" + Text.quote(type)
          + "' must be 1-32 characters of a-z, 0-9, '-' and '_' (it names a JetStream stream)");
    }
    if (e.getAggregateId().isEmpty()) throw new InvalidEvent("aggregate_id is required");
    if (!OrderRequest.isValidId(e.getAggregateId())) {
      throw new InvalidEvent("aggregate_id '" + Text.quote(e.getAggregateId())
          + "' must be 1-128 characters of letters, digits and . _ : - (not starting with a symbol)");
    }
    String eventType = e.getEventType();
    if (eventType.isEmpty()) throw new InvalidEvent("event_type is required");
    if (!eventType.startsWith(type + ".")) {
      throw new InvalidEvent("event_type '" + Text.quote(eventType) + "' must start with '" + type + ".'");
    }
    if (eventType.length() > 128 || !SUBJECT_TOKENS.matcher(eventType).matches()) {
      throw new InvalidEvent("event_type '" + Text.quote(eventType)
          + "' must be at most 128 characters of dot-separated tokens of letters, digits, '-' and '_'");
    }
    if (!e.getEventId().isEmpty() && !OrderRequest.isValidId(e.getEventId())) {
      throw new InvalidEvent("event_id '" + Text.quote(e.getEventId())
          + "' must be 1-128 characters of letters, digits and . _ : - (or empty: the server assigns one)");
    }
    // stream is the client's label for the event (the original used "Orders"): kept, never routed by.
    if (e.getStream().length() > MAX_STREAM_LABEL) {
      throw new InvalidEvent("stream is " + e.getStream().length() + " characters; at most " + MAX_STREAM_LABEL);
    }
    byte[] data = e.getEventData().getBytes(StandardCharsets.UTF_8);
    // An order event after order.created may carry nothing (the original review service sent "").
    boolean orderFact = JournalEvent.ORDER.equals(type) && !Order.OrderCreated.TYPE.equals(eventType);
    if (data.length == 0 && orderFact) return;
    if (data.length == 0) throw new InvalidEvent("event_data is required (JSON)");
    if (data.length > MAX_DATA_BYTES) {
      throw new InvalidEvent("event_data is " + data.length + " bytes; at most " + MAX_DATA_BYTES + " allowed");
    }
    JsonNode json;
    try {
      json = Json.MAPPER.reader()
          .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readTree(data);
    } catch (Exception ex) {
      throw new InvalidEvent("event_data is not valid JSON: " + ex.getMessage().lines().findFirst().orElse(""));
    }
    jsonText(json, "event_data");
  }

  /** Every string and key in the JSON must be valid text too (JSON escapes can spell NUL or lone surrogates). */
  private static void jsonText(JsonNode node, String path) throws InvalidEvent {
    if (node.isTextual()) {
      text(path, node.textValue());
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) jsonText(node.get(i), path + "[" + i + "]");
    } else if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var field = it.next();
        String problem = Text.problem(field.getKey());
        if (problem != null) throw new InvalidEvent(path + " has a field name that " + problem);
        jsonText(field.getValue(), path + "." + field.getKey());
      }
    }
  }

  /** A gRPC string field must be valid text (no NUL or other control characters, no lone surrogates). */
  static void text(String field, String value) throws InvalidEvent {
    String problem = Text.problem(value);
    if (problem != null) throw new InvalidEvent(field + " " + problem);
  }

  /**
   * The ids given to GetEvents or SubscribeEvents, checked before they reach a query or sharding:
   * an aggregate id; an event id of a client's, or a journal position such as {@code Order|o-1:1}.
   */
  public static void validateLookup(String eventId, String aggregateId) throws InvalidEvent {
    text("event_id", eventId);
    text("aggregate_id", aggregateId);
    if (!aggregateId.isEmpty() && !OrderRequest.isValidId(aggregateId)) {
      throw new InvalidEvent("aggregate_id '" + Text.quote(aggregateId)
          + "' must be 1-128 characters of letters, digits and . _ : - (not starting with a symbol)");
    }
    if (eventId.isEmpty() || OrderRequest.isValidId(eventId)) return;
    var position = EventId.parse(eventId);
    int bar = position.map(p -> p.persistenceId().indexOf('|')).orElse(-1);
    if (bar > 0 && OrderRequest.isValidId(position.get().persistenceId().substring(bar + 1))) return;
    throw new InvalidEvent("event_id '" + Text.quote(eventId)
        + "' must be letters, digits and . _ : - (or an event's journal position such as Order|o-1:1)");
  }
}
