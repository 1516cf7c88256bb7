package io.orderflow.eventstore;

import com.typesafe.config.Config;
import io.grpc.Status;
import io.nats.client.JetStreamApiException;
import io.orderflow.infra.NatsBroker;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which generic aggregate types clients may use. Each new type is a new JetStream stream, so a
 * client must not be able to mint them at will: an allow-list when one is configured, else at
 * most {@code max} generic streams in all (counted in JetStream, so across nodes and restarts).
 */
final class GenericStreams {
  private final NatsBroker broker;
  private final Set<String> allowed;
  private final int max;

  GenericStreams(NatsBroker broker, Config eventstore) {
    this.broker = broker;
    this.allowed = Arrays.stream(eventstore.getString("aggregate-types").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    this.max = eventstore.getInt("max-generic-streams");
  }

  /**
   * Makes sure the stream of {@code aggregateType} exists; null when it does, else the status
   * refusing the type. Blocking (JetStream API calls), so callers run it off the actor threads.
   */
  synchronized Status admit(String aggregateType) throws IOException, JetStreamApiException {
    if (!allowed.isEmpty() && !allowed.contains(aggregateType)) {
      return Status.FAILED_PRECONDITION.withDescription("aggregate_type '" + aggregateType
          + "' is not one of the types this event store takes: " + allowed.stream().sorted().toList()
          + " (orderflow.eventstore.aggregate-types)");
    }
    if (broker.hasStream(aggregateType)) return null;
    List<String> existing = broker.genericStreams();
    if (allowed.isEmpty() && existing.size() >= max) {
      return Status.RESOURCE_EXHAUSTED.withDescription("aggregate_type '" + aggregateType
          + "' would need a new JetStream stream, and the limit of " + max
          + " generic streams is reached (orderflow.eventstore.max-generic-streams)");
    }
    broker.ensureStream(aggregateType);
    return null;
  }
}
