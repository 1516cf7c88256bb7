package io.orderflow.eventstore;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.infra.Json;
import io.orderflow.order.OrderRequest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What CreateEvent accepts. aggregate_type names a JetStream stream and event_type its
 * subject, so both are held to a safe character set; every violation is named.
 */
public final class EventRules {
  public static final int MAX_DATA_BYTES = 64 * 1024;
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
    String type = e.getAggregateType();
    if (type.isEmpty()) throw new InvalidEvent("aggregate_type is required");
    if (!AGGREGATE_TYPE.matcher(type).matches()) {
      throw new InvalidEvent("aggregate_type '" + abbreviate(type)
          + "' must be 1-32 characters of a-z, 0-9, '-' and '_' (it names a JetStream stream)");
    }
    if (e.getAggregateId().isEmpty()) throw new InvalidEvent("aggregate_id is required");
    if (!OrderRequest.isValidId(e.getAggregateId())) {
      throw new InvalidEvent("aggregate_id '" + abbreviate(e.getAggregateId())
          + "' must be 1-128 characters of letters, digits and . _ : - (not starting with a symbol)");
    }
    String eventType = e.getEventType();
    if (eventType.isEmpty()) throw new InvalidEvent("event_type is required");
    if (!eventType.startsWith(type + ".")) {
      throw new InvalidEvent("event_type '" + abbreviate(eventType) + "' must start with '" + type + ".'");
    }
    if (eventType.length() > 128 || !SUBJECT_TOKENS.matcher(eventType).matches()) {
      throw new InvalidEvent("event_type '" + abbreviate(eventType)
          + "' must be at most 128 characters of dot-separated tokens of letters, digits, '-' and '_'");
    }
    if (!e.getEventId().isEmpty() && !OrderRequest.isValidId(e.getEventId())) {
      throw new InvalidEvent("event_id '" + abbreviate(e.getEventId())
          + "' must be 1-128 characters of letters, digits and . _ : - (or empty: the server assigns one)");
    }
    if (!e.getStream().isEmpty() && !e.getStream().equals(type)) {
      throw new InvalidEvent("stream '" + abbreviate(e.getStream()) + "' must be empty or equal aggregate_type '" + type + "'");
    }
    byte[] data = e.getEventData().getBytes(StandardCharsets.UTF_8);
    if (data.length == 0) throw new InvalidEvent("event_data is required (JSON)");
    if (data.length > MAX_DATA_BYTES) {
      throw new InvalidEvent("event_data is " + data.length + " bytes; at most " + MAX_DATA_BYTES + " allowed");
    }
    try {
      Json.MAPPER.reader()
          .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readTree(data);
    } catch (Exception ex) {
      throw new InvalidEvent("event_data is not valid JSON: " + ex.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
