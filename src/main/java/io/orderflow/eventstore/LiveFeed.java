package io.orderflow.eventstore;

import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.orderflow.infra.NatsBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The live part of SubscribeEvents, shared by every subscriber of a node. The publisher already
 * sends every journaled event to JetStream; one core NATS subscription per event stream tells this
 * node which journal position was just published, and a subscriber then reads only its own
 * aggregate's new events from the journal. An idle subscriber costs the database nothing (a read
 * journal live query per subscriber would poll it every refresh-interval).
 *
 * Notifications are hints, never the data: a subscriber tracks the last sequence number it sent
 * per journal stream and reads from there, so duplicates (the fast path and the projection both
 * publish) and reordering change nothing, and when notifications may have been lost (a NATS
 * reconnect, a full buffer) every subscriber re-reads its streams once.
 */
final class LiveFeed {
  private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

  /** An event of {@code aggregateId} at {@code position} was published; RESYNC: re-read everything. */
  record Published(String aggregateId, EventId position) {}

  static final Published RESYNC = new Published(null, null);

  private final ActorSystem<?> system;
  private final NatsBroker broker;
  private final JdbcReadJournal journal;
  private final ExecutionContextExecutor blocking;
  private final BoundedSourceQueue<Published> queue;
  private final Source<Published, NotUsed> hub;
  private final Set<String> subjects = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean missed = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicLong reconnects = new AtomicLong();
  private volatile Dispatcher dispatcher;

  LiveFeed(ActorSystem<?> system, NatsBroker broker, JdbcReadJournal journal, ExecutionContextExecutor blocking) {
    this.system = system;
    this.broker = broker;
    this.journal = journal;
    this.blocking = blocking;
    Pair<BoundedSourceQueue<Published>, Source<Published, NotUsed>> feed = Source.<Published>queue(4096)
        .toMat(BroadcastHub.of(Published.class, 256), Keep.both())
        .run(system);
    this.queue = feed.first();
    this.hub = feed.second();
    hub.runWith(Sink.ignore(), system); // keeps the hub flowing while nobody listens
  }

  /**
   * The events of the journal streams {@code pids} (all of one aggregate id), then each new one
   * as it is published, also of streams of that aggregate id created later.
   */
  Source<EventEnvelope, NotUsed> follow(String aggregateId, CompletionStage<List<String>> pids) {
    startOnce();
    // Attached to the hub before the past is read, so nothing published meanwhile is missed.
    // Conflated per stream: a slow subscriber keeps the newest position of each, never loses one.
    Source<Map<String, Long>, NotUsed> live = hub
        .filter(p -> p == RESYNC || aggregateId.equals(p.aggregateId()))
        .conflateWithSeed(LiveFeed::seed, LiveFeed::merge)
        .preMaterialize(system)
        .second();
    Map<String, Long> sent = new HashMap<>();
    Source<EventEnvelope, NotUsed> past = Source.completionStage(pids)
        .flatMapConcat(list -> Source.from(list).flatMapConcat(pid -> read(pid, sent)));
    Source<EventEnvelope, NotUsed> next = live.mapAsync(1, due -> {
      List<String> streams = new ArrayList<>(due.keySet());
      if (due.containsKey(null)) { // resync: every stream known so far
        streams.remove(null);
        streams.addAll(sent.keySet());
      }
      List<String> behind = streams.stream().distinct()
          .filter(pid -> !due.containsKey(pid) || due.get(pid) > sent.getOrDefault(pid, 0L)).toList();
      if (behind.isEmpty()) return CompletableFuture.completedFuture(List.<EventEnvelope>of());
      return Source.from(behind).flatMapConcat(pid -> read(pid, sent)).runWith(Sink.seq(), system);
    }).mapConcat(list -> list);
    return past.concat(next);
  }

  /** The events of {@code pid} after the last one sent, remembering the new last. */
  private Source<EventEnvelope, NotUsed> read(String pid, Map<String, Long> sent) {
    long from = sent.getOrDefault(pid, 0L) + 1;
    return journal.currentEventsByPersistenceId(pid, from, Long.MAX_VALUE).map(env -> {
      sent.merge(pid, env.sequenceNr(), Math::max);
      return env;
    });
  }

  /** Due positions per journal stream; key null: a resync. */
  private static Map<String, Long> seed(Published p) {
    return merge(new HashMap<>(), p);
  }

  private static Map<String, Long> merge(Map<String, Long> due, Published p) {
    if (p == RESYNC) due.put(null, 0L);
    else due.merge(p.position().persistenceId(), p.position().seqNr(), Math::max);
    return due;
  }

  /** Subscribes to the event streams on first use: a node nobody follows reads no messages. */
  private void startOnce() {
    if (!started.compareAndSet(false, true)) return;
    dispatcher = broker.connection().createDispatcher(this::onMessage);
    reconnects.set(broker.reconnects());
    refresh();
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(2), Duration.ofSeconds(2), this::refresh, blocking);
  }

  private void onMessage(Message m) {
    if (!m.hasHeaders()) return;
    String aggregateId = m.getHeaders().getFirst("Aggregate-Id");
    EventId position = EventId.parse(String.valueOf(m.getHeaders().getFirst("Nats-Msg-Id"))).orElse(null);
    if (aggregateId == null || position == null) return;
    if (queue.offer(new Published(aggregateId, position)) != QueueOfferResult.enqueued()) missed.set(true);
  }

  /** Follows streams created since; after a reconnect or an overflow, every subscriber re-reads once. */
  private void refresh() {
    try {
      List<String> streams = new ArrayList<>(broker.genericStreams());
      streams.add(JournalEvent.ORDER);
      for (String stream : streams) {
        if (subjects.add(stream + ".>")) dispatcher.subscribe(stream + ".>");
      }
    } catch (Exception e) {
      log.debug("Live feed cannot list streams now ({}); will retry", e.toString());
    }
    long now = broker.reconnects();
    if (missed.getAndSet(false) | reconnects.getAndSet(now) != now) queue.offer(RESYNC);
  }
}
