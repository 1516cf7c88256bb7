package io.orderflow.testing;

import io.nats.client.api.MessageInfo;
import java.util.List;

/** Where a test reads a JetStream stream back from: one nats-server or a cluster of them. */
public interface StreamMessages {
  /** Every message in {@code stream}, in stream order. */
  List<MessageInfo> messages(String stream) throws Exception;
}
