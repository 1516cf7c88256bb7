package io.orderflow.publish;

import io.orderflow.infra.Database;
import io.orderflow.infra.JournalHead;
import io.orderflow.infra.NatsBroker;
import io.orderflow.infra.Roles;
import io.orderflow.infra.Slices;
import io.orderflow.metrics.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Journal → JetStream: one projection per tag slice ({@link SliceEvents}), run as a
 * ShardedDaemonProcess so each slice runs on exactly one publisher node and moves to a
 * survivor when that node is lost. Offsets live in the database next to the journal.
 */
public final class PublisherProjection {
  public static final String NAME = "jetstream-publisher";

  private PublisherProjection() {}

  public static void init(ActorSystem<?> system, Database db, NatsBroker broker) {
    var config = system.settings().config().getConfig("orderflow");
    int slices = config.getInt("tag-slices");
    int batchSize = config.getInt("publisher.batch-size");
    int cacheSize = config.getInt("publisher.state-cache-size");
    JournalHead.start(system);
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class,
        NAME,
        slices,
        i -> ProjectionBehavior.create(
            projection(system, db, broker, Slices.TAG_PREFIX + i, batchSize, cacheSize)),
        ShardedDaemonProcessSettings.create(system).withRole(Roles.PUBLISHER),
        Optional.of(ProjectionBehavior.stopMessage()));
    JournalStatistics.start(system, db, config.getDuration("publisher.young-journal-check"),
        config.getLong("publisher.young-journal-events"));
  }

  static Projection<List<EventEnvelope<Object>>> projection(
      ActorSystem<?> system, Database db, NatsBroker broker, String tag, int batchSize, int cacheSize) {
    return JdbcProjection.atLeastOnceAsync(
            ProjectionId.of(NAME, tag),
            new EventBatches(new SliceEvents(system, tag, batchSize), batchSize),
            db::session,
            () -> new PublisherHandler(EventSink.jetStream(broker, Metrics.get(system), "projection"),
                new OrderStates(OrderStates.fromJournal(system), cacheSize), StoredEvents.get(system)),
            system)
        // The offset of every batch, once JetStream has acknowledged all of it.
        .withSaveOffset(1, Duration.ZERO);
  }
}
