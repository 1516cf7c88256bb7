package io.orderflow.testing;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;

/** Order messages as the publisher puts them on JetStream, for handler tests that need no broker. */
public final class OrderMessages {
  private OrderMessages() {}

  public static Message of(String subject, Order.State after, long seqNr) {
    return raw(subject, Json.bytes(OrderJson.of(after)), seqNr);
  }

  public static Message raw(String subject, byte[] body, long seqNr) {
    Headers h = new Headers().add("Seq-Nr", Long.toString(seqNr));
    return NatsMessage.builder().subject(subject).headers(h).data(body).build();
  }
}
