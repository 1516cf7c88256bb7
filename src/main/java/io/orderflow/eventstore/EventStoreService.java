package io.orderflow.eventstore;

import io.grpc.Status;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventResponse;
import io.orderflow.eventstore.grpc.EventStore;
import io.orderflow.eventstore.grpc.Response;
import com.typesafe.config.Config;
import io.orderflow.eventstore.grpc.EventStoreHandlerFactory;
import io.orderflow.http.HttpServer;
import io.orderflow.infra.Database;
import io.orderflow.metrics.Metrics;
import io.orderflow.metrics.TimedEventStore;
import io.orderflow.infra.NatsBroker;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.Orders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC EventStore of the original Go service, on the journal. {@code order.created} takes
 * exactly the path of POST /api/orders; any other aggregate type is a generic stream. Rule
 * violations answer is_success=false; timeouts and outages answer gRPC status codes.
 */
public final class EventStoreService implements EventStore {
  private static final Logger log = LoggerFactory.getLogger(EventStoreService.class);

  private final ActorSystem<?> system;
  private final Orders orders;
  private final EventIndex index;
  private final JdbcReadJournal journal;
  private final ClusterSharding sharding;
  private final NatsBroker broker;
  private final scala.concurrent.ExecutionContextExecutor blocking;
  private final Duration askTimeout;
  private final GenericStreams genericStreams;
  private final LiveFeed liveFeed;
  private final int maxSubscriptions;
  private final AtomicInteger subscriptions = new AtomicInteger();

  /** The EventStore, timed, on the gRPC port (orderflow.grpc) until the node stops. Returns once it listens. */
  public static void init(ActorSystem<?> system, Orders orders, Database db, NatsBroker broker) throws Exception {
    var config = system.settings().config();
    Config grpc = config.getConfig("orderflow.grpc");
    var service = new TimedEventStore(new EventStoreService(system, orders, new EventIndex(db), broker,
        config.getDuration("orderflow.http.ask-timeout")), Metrics.get(system));
    HttpServer.bindHttp2(system, "gRPC", grpc.getString("interface"), grpc.getInt("port"),
        EventStoreHandlerFactory.createWithServerReflection(service, system)).toCompletableFuture().get();
  }

  public EventStoreService(ActorSystem<?> system, Orders orders, EventIndex index, NatsBroker broker,
      Duration askTimeout) {
    this.system = system;
    this.broker = broker;
    this.orders = orders;
    this.index = index;
    this.askTimeout = askTimeout;
    this.sharding = ClusterSharding.get(system);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    var config = system.settings().config().getConfig("orderflow.eventstore");
    this.genericStreams = new GenericStreams(broker, config);
    this.maxSubscriptions = config.getInt("max-subscriptions");
    this.liveFeed = new LiveFeed(system, broker, journal, blocking);
  }

  @Override
  public CompletionStage<Response> createEvent(Event in) {
    try {
      EventRules.validate(in);
    } catch (EventRules.InvalidEvent e) {
      return CompletableFuture.completedFuture(failure(e.getMessage()));
    }
    return JournalEvent.ORDER.equals(in.getAggregateType()) ? orderEvent(in) : append(in);
  }

  /**
   * An order event: the command it stands for, on the Order entity (the lifecycle rules decide).
   * Its event id is indexed once the order has recorded it, for GetEvents by event_id.
   */
  private CompletionStage<Response> orderEvent(Event in) {
    String eventId = in.getEventId().isEmpty() ? UUID.randomUUID().toString() : in.getEventId();
    Function<ActorRef<StatusReply<Order.State>>, Order.Command> command;
    try {
      command = OrderEvents.command(in, eventId);
    } catch (EventRules.InvalidEvent e) {
      return CompletableFuture.completedFuture(failure(e.getMessage()));
    }
    String orderId = in.getAggregateId();
    return orders.ask(orderId, command)
        .thenCompose(state -> state.clientEventIds().contains(eventId)
            ? index.record(eventId, JournalEvent.ORDER, orderId, Order.persistenceIdOf(orderId), 0)
            : CompletableFuture.<Void>completedFuture(null))
        .thenApply(v -> success())
        .exceptionally(e -> {
          Throwable cause = Database.unwrap(e);
          if (cause instanceof StatusReply.ErrorMessage) return failure(cause.getMessage());
          throw statusFor(cause);
        });
  }

  private CompletionStage<Response> append(Event in) {
    // The stream must exist (or be creatable) before the event is journaled: an event that could
    // never be published would hold up its whole tag slice. (A blocking JetStream API call, the
    // first time per aggregate type: run it on the blocking dispatcher.)
    return CompletableFuture.supplyAsync(() -> {
      Status refused;
      try {
        refused = genericStreams.admit(in.getAggregateType());
      } catch (JetStreamApiException | IOException e) {
        log.warn("JetStream stream {} cannot be created: {}", in.getAggregateType(), e.toString());
        refused = Status.UNAVAILABLE.withDescription("the JetStream stream for aggregate_type '"
            + in.getAggregateType() + "' cannot be created now; retry with the same event_id");
      }
      if (refused != null) throw new GrpcServiceException(refused);
      return null;
    }, blocking).thenCompose(v -> journal(in));
  }

  private CompletionStage<Response> journal(Event in) {
    String eventId = in.getEventId().isEmpty() ? UUID.randomUUID().toString() : in.getEventId();
    String entityId = AggregateStream.entityId(in.getAggregateType(), in.getAggregateId());
    return sharding.entityRefFor(AggregateStream.ENTITY_KEY, entityId)
        .<StatusReply<AggregateStream.Result>>ask(
            replyTo -> new AggregateStream.Append(eventId, in.getEventType(), in.getEventData(), in.getStream(), replyTo),
            askTimeout)
        .thenCompose(reply -> {
          AggregateStream.Result at = reply.getValue();
          if (at.duplicate()) log.info("Event {} of {} was appended before; not appended again", eventId, entityId);
          return index.record(eventId, in.getAggregateType(), in.getAggregateId(), at.persistenceId(), at.seqNr());
        })
        .thenApply(v -> success())
        .exceptionally(e -> {
          throw statusFor(Database.unwrap(e));
        });
  }

  /** The filter's ids, checked before they reach a query or sharding. */
  private static Status invalidFilter(EventFilter in) {
    try {
      EventRules.validateLookup(in.getEventId(), in.getAggregateId());
      return null;
    } catch (EventRules.InvalidEvent e) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
  }

  @Override
  public CompletionStage<EventResponse> getEvents(EventFilter in) {
    if (in.getEventId().isEmpty() && in.getAggregateId().isEmpty()) {
      return CompletableFuture.failedFuture(new GrpcServiceException(
          Status.INVALID_ARGUMENT.withDescription("set event_id or aggregate_id")));
    }
    Status invalid = invalidFilter(in);
    if (invalid != null) return CompletableFuture.failedFuture(new GrpcServiceException(invalid));
    CompletionStage<List<Event>> events = in.getEventId().isEmpty()
        ? streamsOf(in.getAggregateId()).thenCompose(pids -> collect(Source.from(pids)
            .flatMapConcat(pid -> journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE))))
        : byEventId(in.getEventId());
    return events
        .thenApply(list -> list.stream()
            .filter(e -> in.getAggregateId().isEmpty() || e.getAggregateId().equals(in.getAggregateId()))
            .toList())
        .thenApply(list -> EventResponse.newBuilder().addAllEvents(list).build())
        .exceptionally(e -> {
          throw statusFor(Database.unwrap(e));
        });
  }

  private CompletionStage<List<Event>> byEventId(String eventId) {
    // An order event's journal position is an id too; a client's own id is found in the index,
    // with its position (seq 0: somewhere in that journal stream).
    var position = EventId.parse(eventId).filter(id -> id.persistenceId().startsWith(Order.ENTITY_KEY.name() + "|"));
    if (position.isPresent()) {
      EventId at = position.get();
      return collect(journal.currentEventsByPersistenceId(at.persistenceId(), at.seqNr(), at.seqNr()));
    }
    return index.locate(eventId).thenCompose(ids -> collect(Source.from(ids).flatMapConcat(id -> id.seqNr() > 0
            ? journal.currentEventsByPersistenceId(id.persistenceId(), id.seqNr(), id.seqNr())
            : journal.currentEventsByPersistenceId(id.persistenceId(), 0L, Long.MAX_VALUE))))
        .thenApply(events -> events.stream().filter(e -> e.getEventId().equals(eventId)).toList());
  }

  @Override
  public Source<Event, NotUsed> subscribeEvents(EventFilter in) {
    if (in.getAggregateId().isEmpty()) {
      return Source.failed(new GrpcServiceException(
          Status.INVALID_ARGUMENT.withDescription("SubscribeEvents needs aggregate_id")));
    }
    Status invalid = invalidFilter(in);
    if (invalid != null) return Source.failed(new GrpcServiceException(invalid));
    if (subscriptions.incrementAndGet() > maxSubscriptions) {
      subscriptions.decrementAndGet();
      return Source.failed(new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription(
          "this node already serves " + maxSubscriptions + " subscriptions (orderflow.eventstore.max-subscriptions)")));
    }
    // Past events, then new ones as they are published (one shared feed per node, see LiveFeed).
    return liveFeed.follow(in.getAggregateId(), streamsOf(in.getAggregateId()))
        .map(EventStoreService::toProto)
        .watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> subscriptions.decrementAndGet());
          return mat;
        });
  }

  /** The order stream of the id, and every generic stream under it. */
  private CompletionStage<List<String>> streamsOf(String aggregateId) {
    return index.streamsOf(aggregateId).thenApply(indexed -> {
      // The index also names the order stream once a client's event of it was recorded.
      java.util.Set<String> pids = new java.util.LinkedHashSet<>();
      pids.add(Order.persistenceIdOf(aggregateId));
      pids.addAll(indexed);
      return List.copyOf(pids);
    });
  }

  private CompletionStage<List<Event>> collect(Source<EventEnvelope, NotUsed> envelopes) {
    return envelopes.map(EventStoreService::toProto).runWith(Sink.seq(), system);
  }

  static Event toProto(EventEnvelope env) {
    JournalEvent e = JournalEvent.of(env.persistenceId(), env.sequenceNr(), env.timestamp(), env.event());
    return Event.newBuilder()
        .setEventId(e.eventId())
        .setEventType(e.eventType())
        .setAggregateId(e.aggregateId())
        .setAggregateType(e.aggregateType())
        .setEventData(e.data())
        .setStream(e.stream())
        .build();
  }

  private static Response success() {
    return Response.newBuilder().setIsSuccess(true).build();
  }

  private static Response failure(String error) {
    return Response.newBuilder().setIsSuccess(false).setError(error).build();
  }

  /**
   * Timeouts and outages are the transport's business: gRPC status codes, not is_success=false.
   * The cause is logged; clients get a plain reason, never an internal message (SQL, sharding).
   */
  private static GrpcServiceException statusFor(Throwable cause) {
    if (cause instanceof GrpcServiceException g) return g;
    log.warn("EventStore request failed: {}", cause.toString());
    if (cause instanceof TimeoutException) {
      return new GrpcServiceException(Status.DEADLINE_EXCEEDED.withDescription(
          "the event store did not answer in time; retry with the same event_id"));
    }
    return new GrpcServiceException(Status.UNAVAILABLE.withDescription(
        "the event store is unavailable (journal or cluster); retry with the same event_id"));
  }
}
