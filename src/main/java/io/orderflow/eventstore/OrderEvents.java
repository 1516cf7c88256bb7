package io.orderflow.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.infra.Json;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.Text;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

/**
 * The order lifecycle as clients send it through CreateEvent, e.g. the original Go services: each
 * event type becomes the command that makes the Order entity record that fact, so the lifecycle
 * rules still decide. The event's data is read leniently (clients send their own shapes; unknown
 * fields are ignored), but what it does say must agree with the event: order_id with aggregate_id,
 * a debit's customer and amount with the order's.
 */
final class OrderEvents {
  private OrderEvents() {}

  /** The command {@code in} asks for, carrying its event id and stream label as the event's origin. */
  static Function<ActorRef<StatusReply<Order.State>>, Order.Command> command(Event in, String eventId)
      throws EventRules.InvalidEvent {
    Order.Origin origin = new Order.Origin(eventId, in.getStream());
    Function<ActorRef<StatusReply<Order.State>>, Order.Command> fact = fact(in, eventId);
    return replyTo -> new Order.FromClient(origin, fact.apply(replyTo));
  }

  private static Function<ActorRef<StatusReply<Order.State>>, Order.Command> fact(Event in, String eventId)
      throws EventRules.InvalidEvent {
    String type = in.getEventType();
    if (Order.OrderCreated.TYPE.equals(type)) {
      NewOrder order = newOrder(in);
      long now = Instant.now().getEpochSecond();
      return replyTo -> new Order.Create(order, now, replyTo);
    }
    JsonNode data = data(in);
    return switch (type) {
      case Order.PaymentDebited.TYPE -> {
        String paymentId = text(data, "payment_id", eventId);
        String customerId = text(data, "customer_id", null);
        BigDecimal amount = amount(data);
        yield replyTo -> new Order.RecordPaymentDebited(paymentId, customerId, amount, replyTo);
      }
      case Order.PaymentDeclined.TYPE -> {
        String reason = text(data, "reason", "declined by the payment service");
        yield replyTo -> new Order.RecordPaymentDeclined(reason, replyTo);
      }
      case Order.OrderApproved.TYPE -> Order.Approve::new;
      case Order.OrderRejected.TYPE -> {
        String reason = text(data, "reason", "rejected by review");
        yield replyTo -> new Order.Reject(reason, replyTo);
      }
      case Order.PaymentRefunded.TYPE -> {
        String refundId = text(data, "refund_id", eventId);
        yield replyTo -> new Order.RecordRefund(refundId, replyTo);
      }
      default -> throw new EventRules.InvalidEvent("event_type '" + Text.quote(type) + "' is not an order event; "
          + "aggregate_type order takes " + new java.util.TreeSet<>(Order.EVENT_TYPES));
    };
  }

  private static NewOrder newOrder(Event in) throws EventRules.InvalidEvent {
    NewOrder order;
    try {
      order = OrderRequest.parse(in.getEventData().getBytes(StandardCharsets.UTF_8));
    } catch (OrderRequest.InvalidOrder e) {
      throw new EventRules.InvalidEvent("event_data: " + e.getMessage());
    }
    if (order.orderId() != null && !order.orderId().equals(in.getAggregateId())) {
      throw new EventRules.InvalidEvent("event_data.order_id '" + order.orderId() + "' differs from aggregate_id '"
          + in.getAggregateId() + "'");
    }
    return order.withOrderId(in.getAggregateId());
  }

  /** event_data as a JSON object; empty data is an empty object. */
  private static JsonNode data(Event in) throws EventRules.InvalidEvent {
    if (in.getEventData().isEmpty()) return Json.MAPPER.createObjectNode();
    JsonNode data;
    try {
      data = Json.MAPPER.readTree(in.getEventData());
    } catch (Exception e) {
      throw new EventRules.InvalidEvent("event_data is not valid JSON");
    }
    if (!data.isObject()) throw new EventRules.InvalidEvent("event_data must be a JSON object");
    JsonNode orderId = data.get("order_id");
    if (orderId != null && !orderId.isNull() && !orderId.asText().equals(in.getAggregateId())) {
      throw new EventRules.InvalidEvent("event_data.order_id '" + Text.quote(orderId.asText())
          + "' differs from aggregate_id '" + in.getAggregateId() + "'");
    }
    return data;
  }

  private static String text(JsonNode data, String field, String otherwise) throws EventRules.InvalidEvent {
    JsonNode v = data.get(field);
    if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) return otherwise;
    if (!v.isTextual()) throw new EventRules.InvalidEvent("event_data." + field + " must be a string");
    if (v.textValue().length() > 512) throw new EventRules.InvalidEvent("event_data." + field + " is too long");
    return v.textValue();
  }

  private static BigDecimal amount(JsonNode data) throws EventRules.InvalidEvent {
    JsonNode v = data.get("amount");
    if (v == null || v.isNull()) return null;
    try {
      return OrderRequest.money(v, "event_data.amount");
    } catch (OrderRequest.InvalidOrder e) {
      throw new EventRules.InvalidEvent(e.getMessage());
    }
  }
}
