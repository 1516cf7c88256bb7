package io.orderflow.metrics;

import io.orderflow.order.Order;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Order entities' meters, fed by the entity's event listener on this node: journal persist
 * latency, orders reaching each final state, and each order's time from creation to its final
 * state when this node saw both (an order whose entity moved in between is not timed).
 */
public final class OrderMetrics implements Order.EventListener {
  private static final int TRACKED = 100_000;

  private final Metrics metrics;
  /** Creation time of orders on their way, oldest first; bounded so orders that never finish cost nothing. */
  private final Map<String, Long> createdAt = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > TRACKED;
    }
  };

  public OrderMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void persisted(String persistenceId, long seqNr, Order.Event event, Order.State after, long persistNanos) {
    metrics.persisted(persistNanos);
    long now = System.nanoTime();
    if (event instanceof Order.OrderCreated) {
      synchronized (createdAt) {
        createdAt.put(persistenceId, now - persistNanos);
      }
    } else if (event instanceof Order.OrderApproved || event instanceof Order.PaymentDeclined
        || event instanceof Order.OrderRejected) {
      metrics.finished(after.status().name());
      Long created;
      synchronized (createdAt) {
        created = createdAt.remove(persistenceId);
      }
      if (created != null) metrics.endToEnd(now - created);
    } else if (event instanceof Order.PaymentRefunded) {
      metrics.finished("Refunded");
    }
  }
}
