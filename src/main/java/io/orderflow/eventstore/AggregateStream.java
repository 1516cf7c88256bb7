package io.orderflow.eventstore;

import io.orderflow.infra.CborSerializable;
import io.orderflow.infra.Roles;
import io.orderflow.infra.Slices;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A generic aggregate's event stream, one entity per (aggregate_type, aggregate_id), sharded
 * like the orders. It appends what gRPC clients send, once per event_id; the publisher sends
 * each event to JetStream stream {@code aggregate_type}, subject {@code event_type}.
 */
public final class AggregateStream
    extends EventSourcedBehaviorWithEnforcedReplies<AggregateStream.Command, AggregateStream.Appended, AggregateStream.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "AggregateStream");

  public sealed interface Command extends CborSerializable {}

  /** Sharding's stop message: a command, so a failing recovery's restart cannot forget it (see Order.Passivate). */
  public record Passivate() implements Command {}

  /** {@code stream}: the client's label for the event, kept with it (empty: none). */
  public record Append(String eventId, String eventType, String data, String stream,
      ActorRef<StatusReply<Result>> replyTo) implements Command {}

  /** Where the event is in the stream; {@code duplicate}: it had been appended before. */
  public record Result(String persistenceId, long seqNr, boolean duplicate) implements CborSerializable {}

  /** The one event type of a generic stream: what the client sent, verbatim; {@code stream} absent in older rows. */
  public record Appended(String eventId, String eventType, String aggregateType, String aggregateId, String data,
      String stream) implements CborSerializable {
    public Appended(String eventId, String eventType, String aggregateType, String aggregateId, String data) {
      this(eventId, eventType, aggregateType, aggregateId, data, null);
    }
  }

  /** Event ids already appended, with their sequence numbers, for idempotency. */
  public record State(Map<String, Long> seqNrByEventId, long lastSeqNr) implements CborSerializable {
    public State {
      seqNrByEventId = Map.copyOf(seqNrByEventId);
    }

    State apply(Appended e) {
      Map<String, Long> ids = new HashMap<>(seqNrByEventId);
      ids.put(e.eventId(), lastSeqNr + 1);
      return new State(ids, lastSeqNr + 1);
    }
  }

  public static void init(ActorSystem<?> system, int tagSlices) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), tagSlices))
        .withStopMessage(new Passivate())
        .withRole(Roles.SHARD));
  }

  /** Entity id (and persistence id) of a stream: "aggregate_type|aggregate_id". */
  public static String entityId(String aggregateType, String aggregateId) {
    return aggregateType + "|" + aggregateId;
  }

  public static Behavior<Command> create(String entityId, int tagSlices) {
    return new AggregateStream(entityId, tagSlices);
  }

  private final String aggregateType;
  private final String aggregateId;
  private final Set<String> tags;

  private AggregateStream(String entityId, int tagSlices) {
    super(PersistenceId.ofUniqueId(entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    int bar = entityId.indexOf('|');
    this.aggregateType = entityId.substring(0, bar);
    this.aggregateId = entityId.substring(bar + 1);
    this.tags = Set.of(Slices.tagFor(entityId, tagSlices));
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), 0L);
  }

  @Override
  public CommandHandlerWithReply<Command, Appended, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Append.class, this::append)
        .onCommand(Passivate.class, (state, stop) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Appended, State> append(State state, Append cmd) {
    String pid = persistenceId().id();
    Long existing = state.seqNrByEventId().get(cmd.eventId());
    if (existing != null) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new Result(pid, existing, true)));
    }
    return Effect()
        .persist(new Appended(cmd.eventId(), cmd.eventType(), aggregateType, aggregateId, cmd.data(),
            cmd.stream().isEmpty() ? null : cmd.stream()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new Result(pid, s.lastSeqNr(), false)));
  }

  @Override
  public EventHandler<State, Appended> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public Set<String> tagsFor(Appended event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Long-lived streams recover from a snapshot instead of replaying everything.
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
