package io.orderflow.infra;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one NATS connection, and the JetStream streams and durable consumers of DESIGN.md
 * §2, created or updated idempotently at start-up.
 */
public final class NatsBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);

  public static final String ORDER_STREAM = "order";
  public static final String PAYMENT_CONSUMER = "paymentsvc";
  public static final String REVIEW_CONSUMER = "reviewsvc";
  public static final String VIEW_CONSUMER = "stream-processor";

  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final Duration duplicateWindow;
  private final Set<String> knownStreams = ConcurrentHashMap.newKeySet();
  /** Bumped on every reconnect; consumers created before it are re-created (see JetStreamWorker). */
  private final AtomicLong reconnects;

  private NatsBroker(Connection connection, Duration duplicateWindow, AtomicLong reconnects) throws IOException {
    this.connection = connection;
    this.reconnects = reconnects;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
    this.duplicateWindow = duplicateWindow;
  }

  /**
   * Connects, retrying until the server answers (nodes may start before NATS), and reconnects
   * forever afterwards; jnats buffers publishes while it reconnects.
   */
  public static NatsBroker connect(String url, Duration duplicateWindow) throws IOException, InterruptedException {
    AtomicLong reconnects = new AtomicLong();
    Options options =
        Options.builder()
            .server(url)
            .connectionName("orderflow")
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(500))
            .connectionTimeout(Duration.ofSeconds(5))
            .connectionListener(
                (conn, event) -> {
                  if (event == ConnectionListener.Events.DISCONNECTED) log.warn("NATS disconnected from {}", url);
                  else if (event == ConnectionListener.Events.RECONNECTED) {
                    reconnects.incrementAndGet();
                    log.info("NATS reconnected to {}", url);
                  }
                })
            .errorListener(new ErrorListener() {})
            .build();
    log.info("Connecting to NATS at {}", url);
    Connection c = Nats.connectReconnectOnConnect(options);
    return new NatsBroker(c, duplicateWindow, reconnects);
  }

  public Connection connection() {
    return connection;
  }

  /** How many times the connection has been re-established. */
  public long reconnects() {
    return reconnects.get();
  }

  public JetStream jetStream() {
    return jetStream;
  }

  /** Stream {@code name} with subjects {@code name.>}, file storage and the dedupe window. */
  public void ensureStream(String name) throws IOException, JetStreamApiException {
    if (knownStreams.contains(name)) return;
    StreamConfiguration config =
        StreamConfiguration.builder()
            .name(name)
            .subjects(name + ".>")
            .storageType(StorageType.File)
            .duplicateWindow(duplicateWindow)
            .build();
    try {
      // An existing stream is left as its operator configured it (replicas, limits, storage).
      management.getStreamInfo(name);
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) throw e;
      management.addStream(config);
      log.info("Created JetStream stream {} (subjects {}.>)", name, name);
    }
    knownStreams.add(name);
  }

  /** A durable pull consumer with explicit acks. */
  public void ensureConsumer(String stream, String durable, String filter, int maxDeliver, Duration ackWait)
      throws IOException, JetStreamApiException {
    ConsumerConfiguration config =
        ConsumerConfiguration.builder()
            .durable(durable)
            .filterSubject(filter)
            .ackPolicy(AckPolicy.Explicit)
            .deliverPolicy(DeliverPolicy.All)
            .maxDeliver(maxDeliver)
            .ackWait(ackWait)
            .maxAckPending(10_000)
            .build();
    management.addOrUpdateConsumer(stream, config);
  }

  /** The order stream and its three consumers, retrying while JetStream is not available. */
  public void ensureOrderTopology(int maxDeliver, Duration ackWait) throws InterruptedException {
    Duration delay = Duration.ofMillis(500);
    while (true) {
      try {
        ensureStream(ORDER_STREAM);
        ensureConsumer(ORDER_STREAM, PAYMENT_CONSUMER, "order.created", maxDeliver, ackWait);
        ensureConsumer(ORDER_STREAM, REVIEW_CONSUMER, "order.payment.debited", maxDeliver, ackWait);
        ensureConsumer(ORDER_STREAM, VIEW_CONSUMER, "order.>", maxDeliver, ackWait);
        log.info("JetStream stream {} and consumers {}, {}, {} are in place",
            ORDER_STREAM, PAYMENT_CONSUMER, REVIEW_CONSUMER, VIEW_CONSUMER);
        return;
      } catch (IOException | JetStreamApiException e) {
        log.warn("JetStream not ready ({}); retrying in {} ms", e.getMessage(), delay.toMillis());
        Thread.sleep(delay.toMillis());
        delay = delay.compareTo(Duration.ofSeconds(5)) >= 0 ? delay : delay.multipliedBy(2);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
