package io.orderflow.infra;

import com.typesafe.config.Config;
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
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one NATS connection, and the JetStream streams and durable consumers it is asked
 * for. It knows no business consumer: each worker declares its own.
 */
public final class NatsBroker {
  private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);

  /** orderflow.nats in nats.conf. */
  public record Settings(String url, int replicas, Duration duplicateWindow, int maxDeliver, Duration ackWait,
      int fetchBatch, Duration pullExpiry) {
    static Settings of(Config nats) {
      return new Settings(nats.getString("url"), nats.getInt("replicas"), nats.getDuration("duplicate-window"),
          nats.getInt("max-deliver"), nats.getDuration("ack-wait"), nats.getInt("fetch-batch"),
          nats.getDuration("pull-expiry"));
    }
  }

  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final Settings settings;
  private final Set<String> knownStreams = ConcurrentHashMap.newKeySet();
  /** Bumped on every reconnect; consumers created before it are re-created (see JetStreamWorker). */
  private final AtomicLong reconnects;

  private NatsBroker(Connection connection, Settings settings, AtomicLong reconnects) throws IOException {
    this.connection = connection;
    this.settings = settings;
    this.reconnects = reconnects;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
  }

  /**
   * Connects, retrying until a server answers (nodes may start before NATS), and reconnects
   * forever afterwards, to any server of the list (NATS_URL) or of the cluster it learns from
   * them; jnats buffers publishes while it reconnects. Closed when the node stops.
   */
  public static NatsBroker connect(ActorSystem<?> system) throws IOException, InterruptedException {
    Settings settings = Settings.of(system.settings().config().getConfig("orderflow.nats"));
    AtomicLong reconnects = new AtomicLong();
    String url = settings.url();
    Options options =
        Options.builder()
            .server(url) // one URL or a comma-separated list
            // the node's cluster address (pekko://orderflow@host:port): which node a connection
            // is, in nats-server's /connz
            .connectionName(system.address().toString())
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(500))
            .connectionTimeout(Duration.ofSeconds(5))
            .connectionListener(
                (conn, event) -> {
                  if (event == ConnectionListener.Events.DISCONNECTED) {
                    log.warn("NATS disconnected from {}", conn.getConnectedUrl());
                  } else if (event == ConnectionListener.Events.RECONNECTED) {
                    reconnects.incrementAndGet();
                    log.info("NATS reconnected to {}", conn.getConnectedUrl());
                  }
                })
            .errorListener(new ErrorListener() {})
            .build();
    log.info("Connecting to NATS at {} (streams with {} replica(s))", url, settings.replicas());
    NatsBroker broker = new NatsBroker(Nats.connectReconnectOnConnect(options), settings, reconnects);
    Readiness.get(system).nats(() -> broker.connection.getStatus() == Connection.Status.CONNECTED);
    Shutdown.task(system, CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-nats",
        broker.connection::close);
    return broker;
  }

  public Settings settings() {
    return settings;
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

  /** What orderflow writes in the description of the streams it creates for generic aggregates. */
  public static final String GENERIC_STREAM = "orderflow: events of a generic aggregate type";

  /**
   * Stream {@code name} with subjects {@code name.>}, file storage, the dedupe window and
   * NATS_REPLICAS replicas, created when missing. An existing stream is left as its operator
   * configured it (replicas, limits); a replica count other than NATS_REPLICAS is logged.
   */
  public void ensureStream(String name) throws IOException, JetStreamApiException {
    if (knownStreams.contains(name)) return;
    StreamInfo existing = streamInfo(name);
    if (existing == null) {
      StreamConfiguration config =
          StreamConfiguration.builder()
              .name(name)
              .description(name.equals("order") ? "orderflow: order events" : GENERIC_STREAM)
              .subjects(name + ".>")
              .storageType(StorageType.File)
              .replicas(settings.replicas())
              .duplicateWindow(settings.duplicateWindow())
              .build();
      management.addStream(config);
      log.info("Created JetStream stream {} (subjects {}.>, {} replica(s))", name, name, settings.replicas());
    } else if (existing.getConfiguration().getReplicas() != settings.replicas()) {
      log.warn("JetStream stream {} has {} replica(s), NATS_REPLICAS asks for {}: left as it is (change it with "
          + "`nats stream edit {} --replicas {}`)", name, existing.getConfiguration().getReplicas(),
          settings.replicas(), name, settings.replicas());
    }
    knownStreams.add(name);
  }

  /** The stream's info, or null when JetStream has no such stream. */
  private StreamInfo streamInfo(String name) throws IOException, JetStreamApiException {
    try {
      return management.getStreamInfo(name);
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() != 404) throw e;
      return null;
    }
  }

  /** Whether JetStream has stream {@code name}. */
  public boolean hasStream(String name) throws IOException, JetStreamApiException {
    if (knownStreams.contains(name)) return true;
    if (streamInfo(name) == null) return false;
    knownStreams.add(name);
    return true;
  }

  /** Names of the streams orderflow created for generic aggregate types. */
  public java.util.List<String> genericStreams() throws IOException, JetStreamApiException {
    return management.getStreams().stream()
        .filter(info -> GENERIC_STREAM.equals(info.getConfiguration().getDescription()))
        .map(info -> info.getConfiguration().getName())
        .toList();
  }

  /**
   * A durable pull consumer with explicit acks, created or updated. It has as many replicas as
   * its stream (JetStream's default), so its delivery and ack state survives a lost server too.
   */
  public void ensureConsumer(String stream, String durable, String filterSubject)
      throws IOException, JetStreamApiException {
    ConsumerConfiguration config =
        ConsumerConfiguration.builder()
            .durable(durable)
            .filterSubject(filterSubject)
            .ackPolicy(AckPolicy.Explicit)
            .deliverPolicy(DeliverPolicy.All)
            .maxDeliver(settings.maxDeliver())
            .ackWait(settings.ackWait())
            .maxAckPending(10_000)
            .build();
    management.addOrUpdateConsumer(stream, config);
  }
}
