package io.orderflow.infra;

import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls batches from one durable JetStream consumer and settles every message by what its
 * handler decided: ack, terminate (a poison message, logged with its stream sequence) or retry
 * (redelivered later). Every node running the worker binds the same durable, so the messages are
 * shared between nodes like the original's queue group. Nothing a message does stops the loop.
 */
public final class JetStreamWorker {
  private static final Logger log = LoggerFactory.getLogger(JetStreamWorker.class);
  private static final Duration IDLE_WAIT = Duration.ofMillis(500);

  /** What to do with one message. */
  public sealed interface Outcome {
    Outcome ACK = new Ack();

    record Ack() implements Outcome {}

    /** Never deliver again: the message can never succeed. */
    record Terminate(String reason) implements Outcome {}

    /** Deliver again later: a passing failure (timeout, unavailable database). */
    record Retry(String reason) implements Outcome {}
  }

  /**
   * Decides the outcome of each message of a batch: one stage per message, in the batch's order.
   * A message is settled as soon as its own stage completes.
   */
  @FunctionalInterface
  public interface BatchHandler {
    List<CompletionStage<Outcome>> handle(List<Message> batch);
  }

  /** A handler of single messages, run concurrently; a failure becomes a retry. */
  public static BatchHandler perMessage(Function<Message, CompletionStage<Outcome>> handler) {
    return batch -> {
      List<CompletionStage<Outcome>> results = new ArrayList<>(batch.size());
      for (Message m : batch) {
        try {
          results.add(handler.apply(m));
        } catch (RuntimeException e) {
          results.add(CompletableFuture.failedFuture(e));
        }
      }
      return results;
    };
  }

  private final NatsBroker broker;
  private final String stream;
  private final String durable;
  private final int batchSize;
  private final Duration ackWait;
  private final BatchHandler handler;
  private final Thread thread;
  /** Messages taken but not yet settled; at most one batch's worth. */
  private final Semaphore inFlight;
  private volatile boolean running = true;

  public JetStreamWorker(NatsBroker broker, String stream, String durable, int batchSize, Duration ackWait,
      BatchHandler handler) {
    this.broker = broker;
    this.stream = stream;
    this.durable = durable;
    this.batchSize = batchSize;
    this.ackWait = ackWait;
    this.handler = handler;
    this.inFlight = new Semaphore(batchSize);
    this.thread = new Thread(this::run, "jetstream-" + durable);
    this.thread.setDaemon(true);
  }

  public JetStreamWorker start() {
    thread.start();
    log.info("Worker {} started on stream {}", durable, stream);
    return this;
  }

  /** Stops taking messages and waits (up to the ack wait) for those in hand to be settled. */
  public void stop() throws InterruptedException {
    running = false;
    thread.join(ackWait.toMillis());
    if (inFlight.tryAcquire(batchSize, ackWait.toMillis(), TimeUnit.MILLISECONDS)) inFlight.release(batchSize);
    log.info("Worker {} stopped", durable);
  }

  private void run() {
    IterableConsumer consumer = null;
    long generation = -1;
    Duration backoff = Duration.ofMillis(200);
    while (running) {
      try {
        // A pull consumer made before a reconnect can wait long for heartbeats to notice; make a new one.
        if (consumer != null && generation != broker.reconnects()) {
          closeQuietly(consumer);
          consumer = null;
        }
        if (consumer == null) {
          generation = broker.reconnects();
          consumer = broker.connection().getConsumerContext(stream, durable)
              .iterate(ConsumeOptions.builder().batchSize(batchSize).build());
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
        backoff = Duration.ofMillis(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        log.warn("Worker {}: {}; retrying in {} ms", durable, Database.rootMessage(e), backoff.toMillis());
        closeQuietly(consumer);
        consumer = null;
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException ie) {
          break;
        }
        backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
            ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
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
    long limit = ackWait.toMillis() * 3 / 4; // settle before JetStream redelivers on its own
    for (int i = 0; i < batch.size(); i++) {
      Message m = batch.get(i);
      outcomes.get(i).toCompletableFuture()
          .orTimeout(limit, TimeUnit.MILLISECONDS)
          .whenComplete((o, err) -> {
            try {
              settle(m, err == null ? o : new Outcome.Retry(Database.rootMessage(err)));
            } catch (RuntimeException e) {
              log.warn("Worker {}: cannot settle message on {}: {}", durable, m.getSubject(), e.toString());
            } finally {
              inFlight.release();
            }
          });
    }
  }

  private void settle(Message m, Outcome o) {
    if (o instanceof Outcome.Ack) {
      m.ack();
    } else if (o instanceof Outcome.Terminate t) {
      log.error("Worker {}: dead-lettered message {} on {} (stream seq {}): {}",
          durable, header(m, "Nats-Msg-Id"), m.getSubject(), m.metaData().streamSequence(), t.reason());
      m.term();
    } else if (o instanceof Outcome.Retry r) {
      long delivered = m.metaData().deliveredCount();
      log.warn("Worker {}: will retry message {} on {} (stream seq {}, delivery {}): {}",
          durable, header(m, "Nats-Msg-Id"), m.getSubject(), m.metaData().streamSequence(), delivered, r.reason());
      m.nakWithDelay(Duration.ofMillis(Math.min(10_000, 250L * delivered * delivered)));
    }
  }

  public static String header(Message m, String name) {
    return m.hasHeaders() && m.getHeaders().getFirst(name) != null ? m.getHeaders().getFirst(name) : "-";
  }
}
