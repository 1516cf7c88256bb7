package io.orderflow.worker;

import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.orderflow.infra.Backoff;
import io.orderflow.infra.Database;
import io.orderflow.infra.NatsBroker;
import io.orderflow.infra.Shutdown;
import io.orderflow.infra.Timeouts;
import io.orderflow.metrics.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one declared {@link Worker}: pulls from its durable JetStream consumer and settles every
 * message by what the handler decided: ack, terminate (a poison message, logged with its stream
 * sequence) or retry (redelivered later). Every node running the worker binds the same durable,
 * so the messages are shared between nodes like the original's queue group. Nothing a message
 * does stops the loop.
 */
public final class JetStreamWorker {
  private static final Logger log = LoggerFactory.getLogger(JetStreamWorker.class);
  private static final Duration IDLE_WAIT = Duration.ofMillis(500);

  private final ActorSystem<?> system;
  private final NatsBroker broker;
  private final Worker worker;
  private final Worker.BatchHandler handler;
  private final Metrics metrics;
  private final int batchSize;
  private final Duration ackWait;
  /** A message's outcome is awaited this long: settled before JetStream redelivers it on its own. */
  private final Duration settleWithin;
  private final Thread thread;
  /** Messages taken but not yet settled; at most one batch's worth. */
  private final Semaphore inFlight;
  private volatile boolean running = true;

  private JetStreamWorker(ActorSystem<?> system, NatsBroker broker, Worker worker, Worker.BatchHandler handler) {
    this.system = system;
    this.broker = broker;
    this.metrics = Metrics.get(system);
    this.worker = worker;
    this.handler = handler;
    this.batchSize = broker.settings().fetchBatch();
    this.ackWait = broker.settings().ackWait();
    this.settleWithin = ackWait.multipliedBy(3).dividedBy(4);
    this.inFlight = new Semaphore(batchSize);
    this.thread = new Thread(this::run, "jetstream-" + worker.durable());
    this.thread.setDaemon(true);
  }

  /**
   * Starts the worker; it stops taking messages when the node shuts down, before sharding hands
   * the entities over, and settles those in hand. A worker switched off by its config key is
   * not started (null).
   */
  public static JetStreamWorker start(NatsBroker broker, Worker worker, Worker.Context node) {
    ActorSystem<?> system = node.system();
    if (!worker.enabled(system.settings().config())) {
      log.info("Worker {} is switched off ({} = off); its messages wait in the consumer", worker.durable(),
          worker.switchKey());
      return null;
    }
    JetStreamWorker w = new JetStreamWorker(system, broker, worker, worker.handler().apply(node));
    w.thread.start();
    log.info("Worker {} started on stream {} ({})", worker.durable(), worker.stream(), worker.filterSubject());
    Shutdown.task(system, CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-worker-" + worker.durable(), w::stop);
    return w;
  }

  /**
   * The streams and durable consumers of all declared workers (whatever this node's roles, so
   * that messages wait for a worker that starts later), retrying while JetStream is not available.
   */
  public static void declare(NatsBroker broker, List<Worker> workers) throws InterruptedException {
    Backoff backoff = Backoff.of(Duration.ofMillis(500), Duration.ofSeconds(5));
    while (true) {
      try {
        for (Worker w : workers) {
          broker.ensureStream(w.stream());
          broker.ensureConsumer(w.stream(), w.durable(), w.filterSubject());
        }
        log.info("JetStream consumers in place: {}", workers.stream()
            .map(w -> w.stream() + "/" + w.durable() + " (" + w.filterSubject() + ")").toList());
        return;
      } catch (IOException | JetStreamApiException e) {
        log.warn("JetStream not ready ({}); retrying", e.getMessage());
        backoff.sleep();
      }
    }
  }

  /** Stops taking messages and waits (up to the ack wait) for those in hand to be settled. */
  void stop() throws InterruptedException {
    running = false;
    thread.join(ackWait.toMillis());
    if (inFlight.tryAcquire(batchSize, ackWait.toMillis(), TimeUnit.MILLISECONDS)) inFlight.release(batchSize);
    log.info("Worker {} stopped", worker.durable());
  }

  private void run() {
    IterableConsumer consumer = null;
    long generation = -1;
    Backoff backoff = Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(5));
    while (running) {
      try {
        // A pull consumer made before a reconnect can wait long for heartbeats to notice; make a new one.
        if (consumer != null && generation != broker.reconnects()) {
          closeQuietly(consumer);
          consumer = null;
        }
        if (consumer == null) {
          generation = broker.reconnects();
          // Short pulls with heartbeats: a pull lost with its consumer leader (a nats-server of a
          // cluster killed) is noticed by missed heartbeats and made again on the new leader.
          consumer = broker.connection().getConsumerContext(worker.stream(), worker.durable())
              .iterate(ConsumeOptions.builder().batchSize(batchSize)
                  .expiresIn(broker.settings().pullExpiry().toMillis()).build());
        }
        if (!inFlight.tryAcquire(IDLE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) continue;
        // Block for the first message only; then take what has already arrived, up to the free
        // slots: one message at a time when idle (low latency), batches under load. Every permit
        // taken is either given back here or by the settling of one dispatched message.
        List<Message> batch = new ArrayList<>(batchSize);
        int held = 1;
        try {
          Message m = consumer.nextMessage(IDLE_WAIT);
          while (m != null) {
            batch.add(m);
            if (batch.size() == batchSize || !inFlight.tryAcquire()) break;
            held++;
            m = consumer.nextMessage(1);
          }
        } finally {
          inFlight.release(held - batch.size());
          if (!batch.isEmpty()) dispatch(batch);
        }
        backoff.reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        closeQuietly(consumer);
        consumer = null;
        Duration delay = backoff.next();
        log.warn("Worker {}: {}; retrying in {} ms", worker.durable(), Database.rootMessage(e), delay.toMillis());
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException ie) {
          break;
        }
      }
    }
    closeQuietly(consumer);
  }

  private static void closeQuietly(IterableConsumer consumer) {
    if (consumer == null) return;
    try {
      consumer.close();
    } catch (Exception ignored) {
      // the connection may be gone; a new consumer is made either way
    }
  }

  /** Hands the batch to the handler and settles each message when its outcome is known. */
  private void dispatch(List<Message> batch) {
    List<CompletionStage<Outcome>> outcomes;
    try {
      outcomes = handler.handle(batch);
    } catch (RuntimeException e) {
      outcomes = batch.stream().<CompletionStage<Outcome>>map(m -> CompletableFuture.failedFuture(e)).toList();
    }
    for (int i = 0; i < batch.size(); i++) {
      Message m = batch.get(i);
      Timeouts.within(outcomes.get(i), settleWithin, system)
          .whenComplete((o, err) -> {
            try {
              settle(m, err == null ? o : new Outcome.Retry(Database.rootMessage(err)));
            } catch (RuntimeException e) {
              log.warn("Worker {}: cannot settle message on {}: {}", worker.durable(), m.getSubject(), e.toString());
            } finally {
              inFlight.release();
            }
          });
    }
  }

  private void settle(Message m, Outcome o) {
    try (var order = MDC.putCloseable("orderId", header(m, "Aggregate-Id"))) {
      settleLogged(m, o);
    }
  }

  private void settleLogged(Message m, Outcome o) {
    if (o instanceof Outcome.Ack) {
      metrics.consumed(worker.durable(), "ack");
      m.ack();
    } else if (o instanceof Outcome.Terminate t) {
      metrics.consumed(worker.durable(), "dead_letter");
      log.error("Worker {}: dead-lettered message {} on {} (stream seq {}): {}",
          worker.durable(), header(m, "Nats-Msg-Id"), m.getSubject(), m.metaData().streamSequence(), t.reason());
      m.term();
    } else if (o instanceof Outcome.Retry r) {
      metrics.consumed(worker.durable(), "retry");
      long delivered = m.metaData().deliveredCount();
      log.warn("Worker {}: will retry message {} on {} (stream seq {}, delivery {}): {}",
          worker.durable(), header(m, "Nats-Msg-Id"), m.getSubject(), m.metaData().streamSequence(), delivered,
          r.reason());
      m.nakWithDelay(Duration.ofMillis(Math.min(10_000, 250L * delivered * delivered)));
    }
  }

  private static String header(Message m, String name) {
    return m.hasHeaders() && m.getHeaders().getFirst(name) != null ? m.getHeaders().getFirst(name) : "-";
  }
}
