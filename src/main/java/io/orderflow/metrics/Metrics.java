package io.orderflow.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's meters, one Micrometer registry per actor system, scraped in Prometheus' text format
 * at {@code /metrics} on the management port. Names follow Prometheus conventions: units in the
 * name, {@code _total} counters, and label values from small fixed sets (never an order id).
 * Recording is a counter increment or a timer update: nothing here touches the network.
 */
public final class Metrics implements Extension {
  public static final ExtensionId<Metrics> ID = new ExtensionId<>() {
    @Override
    public Metrics createExtension(ActorSystem<?> system) {
      return new Metrics();
    }
  };

  public static Metrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Timer persist;
  private final Timer endToEnd;

  private Metrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    persist = Timer.builder("orderflow.journal.persist")
        .description("Time from an Order entity's persist to the journal's acknowledgement")
        .publishPercentileHistogram().register(registry);
    endToEnd = Timer.builder("orderflow.order.end.to.end")
        .description("Time from an order's creation to its final state, as the entity that saw both measured it")
        .publishPercentileHistogram().publishPercentiles(0.5, 0.99)
        .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** An order accepted (201 / is_success) through {@code entry}: http or grpc. */
  public void accepted(String entry) {
    counter("orderflow.orders.accepted", "entry", entry,
        "Orders accepted (a 201 or is_success), by the interface they came in through").increment();
  }

  /** An order reached a final state on this node: Approved, Declined, Rejected, Refunded. */
  public void finished(String status) {
    counter("orderflow.orders.finished", "status", status,
        "Orders that reached a final state (Refunded: a rejected order's money returned)").increment();
  }

  /** One message settled by a worker: ack, retry or dead_letter. */
  public void consumed(String consumer, String outcome) {
    counters.computeIfAbsent("consumed|" + consumer + "|" + outcome, k -> Counter.builder("orderflow.consumer.messages")
        .description("Messages settled by each durable consumer's worker: ack, retry or dead_letter")
        .tag("consumer", consumer).tag("outcome", outcome).register(registry)).increment();
  }

  public void persisted(long nanos) {
    persist.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void endToEnd(long nanos) {
    endToEnd.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** End-to-end latency as the dashboard shows it: count, median and 99th percentile in ms. */
  public Timer endToEndTimer() {
    return endToEnd;
  }

  /** A publish acknowledged by the stream: path is projection or fast. */
  public void published(String path, long nanos) {
    timer("orderflow.publish", "Time from publishing an event to JetStream's acknowledgement",
        "path", path).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A request answered over HTTP or gRPC; {@code tags} are key, value, key, value... */
  public void request(String name, String description, long nanos, String... tags) {
    timers.computeIfAbsent(name + "|" + String.join("|", tags), k -> Timer.builder(name)
            .description(description).tags(tags).publishPercentileHistogram().register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter counter(String name, String tag, String value, String description) {
    return counters.computeIfAbsent(name + "|" + value,
        k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
  }

  private Timer timer(String name, String description, String tag, String value) {
    return timers.computeIfAbsent(name + "|" + value, k -> Timer.builder(name).description(description)
        .tag(tag, value).publishPercentileHistogram().register(registry));
  }
}
