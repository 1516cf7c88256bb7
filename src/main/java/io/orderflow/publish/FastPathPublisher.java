package io.orderflow.publish;

import io.orderflow.eventstore.JournalEvent;
import io.orderflow.infra.NatsBroker;
import io.orderflow.metrics.Metrics;
import io.orderflow.order.Order;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latency path: the Order entity hands each event to this right after it is journaled, and it is
 * published at once, best effort, with the same Nats-Msg-Id the projection will use. The
 * projection still publishes every event (the guarantee); the stream drops its copy as a
 * duplicate. This takes the read journal's polling (tens of ms per hop) off the order's path.
 *
 * Order within an order's stream holds: an order's next event only exists after a worker saw
 * the previous one in the stream.
 */
public final class FastPathPublisher implements Order.EventListener {
  private static final Logger log = LoggerFactory.getLogger(FastPathPublisher.class);

  private final EventSink sink;
  private final StoredEvents stored;
  /**
   * The entity must never wait on NATS (jnats blocks a publisher when its write queue is full):
   * one thread publishes, and when it falls behind, events are left to the projection.
   */
  private final ThreadPoolExecutor executor =
      new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(10_000),
          r -> {
            Thread t = new Thread(r, "fast-path-publisher");
            t.setDaemon(true);
            return t;
          },
          new ThreadPoolExecutor.DiscardPolicy());

  public FastPathPublisher(ActorSystem<?> system, NatsBroker broker) {
    this.sink = EventSink.jetStream(broker, Metrics.get(system), "fast");
    this.stored = StoredEvents.get(system);
  }

  @Override
  public void persisted(String persistenceId, long seqNr, Order.Event event, Order.State after, long persistNanos) {
    executor.execute(() -> publish(persistenceId, seqNr, event, after));
  }

  private void publish(String persistenceId, long seqNr, Order.Event event, Order.State after) {
    JournalEvent journaled = JournalEvent.of(persistenceId, seqNr, System.currentTimeMillis(), event);
    sink.publish(Outgoing.of(journaled, after)).whenComplete((duplicate, err) -> {
      if (err == null) {
        stored.add(persistenceId, seqNr);
      } else {
        log.debug("Fast path publish of {} failed ({}); the projection will publish it", journaled.eventId(), err.toString());
      }
    });
  }
}
