package io.orderflow.infra;

import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

  /** Decides the outcome of each message of a batch, in the batch's order. */
  @FunctionalInterface
  public interface BatchHandler {
    CompletionStage<List<Outcome>> handle(List<Message> batch);
  }

  /** A handler of single messages, run concurrently over a batch; a failure becomes a retry. */
  public static BatchHandler perMessage(Function<Message, CompletionStage<Outcome>> handler) {
    return batch -> {
      List<CompletableFuture<Outcome>> results = new ArrayList<>(batch.size());
      for (Message m : batch) {
        CompletableFuture<Outcome> f;
        try {
          f = handler.apply(m).toCompletableFuture();
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        results.add(f.exceptionally(e -> new Outcome.Retry(Database.rootMessage(e))));
      }
      return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
          .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    };
  }

  private final NatsBroker broker;
  private final String stream;
  private final String durable;
  private final int batchSize;
  private final Duration ackWait;
  private final BatchHandler handler;
  private final Thread thread;
  private volatile boolean running = true;

  public JetStreamWorker(NatsBroker broker, String stream, String durable, int batchSize, Duration ackWait,
      BatchHandler handler) {
    this.broker = broker;
    this.stream = stream;
    this.durable = durable;
    this.batchSize = batchSize;
    this.ackWait = ackWait;
    this.handler = handler;
    this.thread = new Thread(this::run, "jetstream-" + durable);
    this.thread.setDaemon(true);
  }

  public JetStreamWorker start() {
    thread.start();
    log.info("Worker {} started on stream {}", durable, stream);
    return this;
  }

  /** Stops fetching and waits for the batch in hand to be settled. */
  public void stop() throws InterruptedException {
    running = false;
    thread.join(ackWait.toMillis());
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
        // Block for the first message only; then take what has already arrived, up to a batch:
        // one message at a time when idle (low latency), full batches under load.
        Message first = consumer.nextMessage(IDLE_WAIT);
        if (first == null) continue;
        List<Message> batch = new ArrayList<>(batchSize);
        batch.add(first);
        Message next;
        while (batch.size() < batchSize && (next = consumer.nextMessage(1)) != null) batch.add(next);
        settle(batch);
        backoff = Duration.ofMillis(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        log.warn("Worker {}: {}; retrying in {} ms", durable, Database.rootMessage(e), backoff.toMillis());
        closeQuietly(consumer);
        consumer = null;
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException ie) {
          return;
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

  private void settle(List<Message> batch) throws Exception {
    List<Outcome> outcomes;
    try {
      outcomes = handler.handle(batch).toCompletableFuture()
          .get(ackWait.toMillis() * 3 / 4, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      String reason = Database.rootMessage(e);
      outcomes = batch.stream().<Outcome>map(m -> new Outcome.Retry(reason)).toList();
    }
    for (int i = 0; i < batch.size(); i++) {
      Message m = batch.get(i);
      Outcome o = outcomes.get(i);
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
  }

  public static String header(Message m, String name) {
    return m.hasHeaders() && m.getHeaders().getFirst(name) != null ? m.getHeaders().getFirst(name) : "-";
  }
}
