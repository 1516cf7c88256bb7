package io.orderflow.order;

import io.orderflow.infra.CborSerializable;
import io.orderflow.infra.Roles;
import io.orderflow.infra.Slices;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Order aggregate: one event-sourced entity per order, sharded across the cluster so each
 * order has a single writer. Deciding ({@link #decide}) and state change ({@link State#apply})
 * are pure functions; the entity only persists what they decide and replies.
 */
public final class Order extends EventSourcedBehaviorWithEnforcedReplies<Order.Command, Order.Event, Order.State> {
  private static final Logger log = LoggerFactory.getLogger(Order.class);

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Order");

  // ---- commands -------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {
    ActorRef<StatusReply<State>> replyTo();
  }

  /** Create the order; a repeat with the same content is acknowledged, other content rejected. */
  public record Create(NewOrder order, long createdOn, ActorRef<StatusReply<State>> replyTo) implements Command {}

  /**
   * Record a debit. A payment service outside (gRPC) says for which customer and amount it debited:
   * when given, they must be the order's.
   */
  public record RecordPaymentDebited(String paymentId, String customerId, BigDecimal amount,
      ActorRef<StatusReply<State>> replyTo) implements Command {
    public RecordPaymentDebited(String paymentId, ActorRef<StatusReply<State>> replyTo) {
      this(paymentId, null, null, replyTo);
    }
  }

  public record RecordPaymentDeclined(String reason, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Approve(ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Reject(String reason, ActorRef<StatusReply<State>> replyTo) implements Command {}

  /** Record that the payment of a rejected order was refunded (refundId from the gateway). */
  public record RecordRefund(String refundId, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Get(ActorRef<StatusReply<State>> replyTo) implements Command {}

  /**
   * A command sent by a client as an event of its own (gRPC CreateEvent): the event it causes keeps
   * the client's event id and stream label, and a repeat of an event id already recorded is
   * acknowledged without doing anything again, whatever it asks.
   */
  public record FromClient(Origin origin, Command command) implements Command {
    @Override
    public ActorRef<StatusReply<State>> replyTo() {
      return command.replyTo();
    }
  }

  /** Who told the order a fact, for events a client sent: its event id and its stream label. */
  public record Origin(String eventId, String stream) implements CborSerializable {}

  /**
   * Sharding's stop message (passivation, hand-off). A command, not the PoisonPill signal: a
   * command is stashed and survives the restart-with-backoff of a failing recovery, whereas
   * Pekko keeps a received PoisonPill only in the failing incarnation and forgets it on restart,
   * leaving the shard buffering the entity's messages forever (docs/FAULTS.md).
   */
  public record Passivate() implements Command {
    public ActorRef<StatusReply<State>> replyTo() {
      return null;
    }
  }

  // ---- events ---------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {
    String orderId();

    /** The event's type, which is also its JetStream subject. */
    String type();

    /** The client that sent it as an event of its own (gRPC), or null. Added after version 2: absent in older rows. */
    Origin origin();

    /** The same event, sent by a client. */
    Event withOrigin(Origin origin);
  }

  /** Every order event type, the subjects of stream {@code order}. */
  public static final Set<String> EVENT_TYPES = Set.of(OrderCreated.TYPE, PaymentDebited.TYPE,
      PaymentDeclined.TYPE, OrderApproved.TYPE, OrderRejected.TYPE, PaymentRefunded.TYPE);

  /**
   * Version 2 added {@code currency}; version-1 events in the journal are read through
   * {@link CurrencyMigration} (docs/EVENT-VERSIONS.md).
   */
  public record OrderCreated(
      String orderId, String customerId, String restaurantId, List<OrderItem> orderItems,
      BigDecimal amount, String currency, long createdOn, Origin origin) implements Event {
    public OrderCreated {
      orderItems = List.copyOf(orderItems);
      amount = amount.setScale(2, RoundingMode.UNNECESSARY);
      // No default here: an old event without currency must come through the migration.
      Objects.requireNonNull(currency, "currency");
    }

    public OrderCreated(String orderId, String customerId, String restaurantId, List<OrderItem> orderItems,
        BigDecimal amount, String currency, long createdOn) {
      this(orderId, customerId, restaurantId, orderItems, amount, currency, createdOn, null);
    }

    public OrderCreated withOrigin(Origin o) {
      return new OrderCreated(orderId, customerId, restaurantId, orderItems, amount, currency, createdOn, o);
    }

    public static final String TYPE = "order.created";

    public String type() {
      return TYPE;
    }
  }

  public record PaymentDebited(String orderId, String paymentId, Origin origin) implements Event {
    public PaymentDebited(String orderId, String paymentId) {
      this(orderId, paymentId, null);
    }

    public PaymentDebited withOrigin(Origin o) {
      return new PaymentDebited(orderId, paymentId, o);
    }

    public static final String TYPE = "order.payment.debited";

    public String type() {
      return TYPE;
    }
  }

  public record PaymentDeclined(String orderId, String reason, Origin origin) implements Event {
    public PaymentDeclined(String orderId, String reason) {
      this(orderId, reason, null);
    }

    public PaymentDeclined withOrigin(Origin o) {
      return new PaymentDeclined(orderId, reason, o);
    }

    public static final String TYPE = "order.payment.declined";

    public String type() {
      return TYPE;
    }
  }

  public record OrderApproved(String orderId, Origin origin) implements Event {
    public OrderApproved(String orderId) {
      this(orderId, null);
    }

    public OrderApproved withOrigin(Origin o) {
      return new OrderApproved(orderId, o);
    }

    public static final String TYPE = "order.approved";

    public String type() {
      return TYPE;
    }
  }

  public record OrderRejected(String orderId, String reason, Origin origin) implements Event {
    public OrderRejected(String orderId, String reason) {
      this(orderId, reason, null);
    }

    public OrderRejected withOrigin(Origin o) {
      return new OrderRejected(orderId, reason, o);
    }

    public static final String TYPE = "order.rejected";

    public String type() {
      return TYPE;
    }
  }

  /** The payment of a rejected order was given back; the order stays Rejected. */
  public record PaymentRefunded(String orderId, String refundId, Origin origin) implements Event {
    public PaymentRefunded(String orderId, String refundId) {
      this(orderId, refundId, null);
    }

    public PaymentRefunded withOrigin(Origin o) {
      return new PaymentRefunded(orderId, refundId, o);
    }

    public static final String TYPE = "order.payment.refunded";

    public String type() {
      return TYPE;
    }
  }

  // ---- state ----------------------------------------------------------------------------

  /**
   * The order after all its events (status null: the order does not exist yet). It crosses the
   * cluster as a reply, so it changes like an event: currency came with version 2.
   */
  public record State(
      String orderId, String customerId, String restaurantId, OrderStatus status, long createdOn,
      BigDecimal amount, String currency, List<OrderItem> orderItems, String paymentId, String reason,
      String refundId, List<String> clientEventIds)
      implements CborSerializable {

    public State {
      orderItems = orderItems == null ? List.of() : List.copyOf(orderItems);
      amount = amount == null ? null : amount.setScale(2, RoundingMode.UNNECESSARY);
      clientEventIds = clientEventIds == null ? List.of() : List.copyOf(clientEventIds);
    }

    public State(String orderId, String customerId, String restaurantId, OrderStatus status, long createdOn,
        BigDecimal amount, String currency, List<OrderItem> orderItems, String paymentId, String reason,
        String refundId) {
      this(orderId, customerId, restaurantId, status, createdOn, amount, currency, orderItems, paymentId, reason,
          refundId, List.of());
    }

    public static State empty(String orderId) {
      return new State(orderId, null, null, null, 0L, null, null, List.of(), null, null, null);
    }

    public boolean exists() {
      return status != null;
    }

    /**
     * Nothing more happens to the order: approved, declined, or rejected and refunded. Its entity
     * then leaves memory; a later command recovers it from its events.
     */
    public boolean isDone() {
      return status != null && status.isFinal() && (status != OrderStatus.Rejected || refundId != null);
    }

    public int totalQuantity() {
      return orderItems.stream().mapToInt(OrderItem::quantity).sum();
    }

    /** True when a create request asks for exactly this order. */
    boolean sameContent(NewOrder o) {
      return customerId.equals(o.customerId()) && restaurantId.equals(o.restaurantId())
          && orderItems.equals(o.orderItems()) && amount.compareTo(o.amount()) == 0
          && currency.equals(o.currency());
    }

    public State apply(Event event) {
      State next = applied(event);
      if (event.origin() == null) return next;
      List<String> ids = new java.util.ArrayList<>(clientEventIds);
      ids.add(event.origin().eventId());
      return new State(next.orderId, next.customerId, next.restaurantId, next.status, next.createdOn, next.amount,
          next.currency, next.orderItems, next.paymentId, next.reason, next.refundId, ids);
    }

    private State applied(Event event) {
      if (event instanceof OrderCreated e) {
        return new State(e.orderId(), e.customerId(), e.restaurantId(), OrderStatus.Pending, e.createdOn(),
            e.amount(), e.currency(), e.orderItems(), null, null, null);
      } else if (event instanceof PaymentDebited e) {
        return with(OrderStatus.Paid, e.paymentId(), null, null);
      } else if (event instanceof PaymentDeclined e) {
        return with(OrderStatus.Declined, null, e.reason(), null);
      } else if (event instanceof OrderApproved) {
        return with(OrderStatus.Approved, paymentId, null, null);
      } else if (event instanceof OrderRejected e) {
        return with(OrderStatus.Rejected, paymentId, e.reason(), null);
      } else if (event instanceof PaymentRefunded e) {
        return with(status, paymentId, reason, e.refundId());
      }
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private State with(OrderStatus newStatus, String newPaymentId, String newReason, String newRefundId) {
      return new State(orderId, customerId, restaurantId, newStatus, createdOn, amount, currency, orderItems,
          newPaymentId, newReason, newRefundId, clientEventIds);
    }
  }

  /** Told of every event right after it is journaled (the publisher's fast path, the metrics). */
  @FunctionalInterface
  public interface EventListener {
    EventListener NONE = (persistenceId, seqNr, event, after, persistNanos) -> {};

    /** {@code persistNanos}: from the persist call to the journal's acknowledgement. */
    void persisted(String persistenceId, long seqNr, Event event, State after, long persistNanos);

    /** This listener, then {@code next}. */
    default EventListener andThen(EventListener next) {
      return (pid, seqNr, event, after, nanos) -> {
        persisted(pid, seqNr, event, after, nanos);
        next.persisted(pid, seqNr, event, after, nanos);
      };
    }
  }

  // ---- deciding -------------------------------------------------------------------------

  /** What a command does to a state. */
  public sealed interface Decision {
    /** The command changes the order: persist this event. */
    record Persist(Event event) implements Decision {}

    /** Nothing to persist: a query, or a repeat of what already happened. Answered with the state. */
    record Unchanged() implements Decision {}

    /** The command does not fit the order's state: answered with an error, nothing persisted. */
    record Refused(String reason) implements Decision {}
  }

  private static final Decision UNCHANGED = new Decision.Unchanged();

  /** The rules of the lifecycle: which state accepts which command. Pure. */
  public static Decision decide(State s, Command c) {
    if (c instanceof FromClient fc) {
      // An event id once recorded is that event: its repeat is acknowledged, never done twice.
      if (s.clientEventIds().contains(fc.origin().eventId())) return UNCHANGED;
      Decision d = decide(s, fc.command());
      return d instanceof Decision.Persist p ? new Decision.Persist(p.event().withOrigin(fc.origin())) : d;
    }
    String id = s.orderId();
    if (c instanceof Create cr) {
      if (!s.exists()) {
        NewOrder o = cr.order();
        return new Decision.Persist(new OrderCreated(id, o.customerId(), o.restaurantId(), o.orderItems(),
            o.amount(), o.currency(), cr.createdOn()));
      }
      return s.sameContent(cr.order())
          ? UNCHANGED
          : new Decision.Refused("order " + id + " already exists with different content");
    }
    if (!s.exists()) return new Decision.Refused("order " + id + " does not exist");
    if (c instanceof Get) return UNCHANGED;
    OrderStatus st = s.status();
    if (c instanceof RecordPaymentDebited d) {
      if (d.customerId() != null && !d.customerId().equals(s.customerId())) {
        return refuse(s, "it is customer " + s.customerId() + "'s, not " + d.customerId() + "'s");
      }
      if (d.amount() != null && d.amount().compareTo(s.amount()) != 0) {
        return refuse(s, "it is for " + s.amount().toPlainString() + " " + s.currency() + "; a debit of "
            + d.amount().toPlainString() + " does not pay it");
      }
      if (st == OrderStatus.Pending) return new Decision.Persist(new PaymentDebited(id, d.paymentId()));
      if (st == OrderStatus.Declined) return refuse(s, "its payment was declined");
      return UNCHANGED; // Paid, Approved, Rejected: the debit is already recorded
    }
    if (c instanceof RecordPaymentDeclined d) {
      if (st == OrderStatus.Pending) return new Decision.Persist(new PaymentDeclined(id, d.reason()));
      if (st == OrderStatus.Declined) return UNCHANGED;
      return refuse(s, "it is already paid");
    }
    if (c instanceof Approve) {
      if (st == OrderStatus.Paid) return new Decision.Persist(new OrderApproved(id));
      if (st == OrderStatus.Approved) return UNCHANGED;
      return refuse(s, "only a Paid order can be approved");
    }
    if (c instanceof Reject r) {
      if (st == OrderStatus.Paid) return new Decision.Persist(new OrderRejected(id, r.reason()));
      if (st == OrderStatus.Rejected) return UNCHANGED;
      return refuse(s, "only a Paid order can be rejected");
    }
    if (c instanceof RecordRefund r) {
      // One refund per order: a second one (a redelivery, a retried gateway call) changes nothing.
      if (st == OrderStatus.Rejected) {
        return s.refundId() == null ? new Decision.Persist(new PaymentRefunded(id, r.refundId())) : UNCHANGED;
      }
      return refuse(s, "only a Rejected order is refunded");
    }
    throw new IllegalArgumentException("unknown command " + c.getClass().getName());
  }

  private static Decision refuse(State s, String why) {
    return new Decision.Refused("order " + s.orderId() + " is " + s.status() + ": " + why);
  }

  // ---- the entity -----------------------------------------------------------------------

  public static void init(ActorSystem<?> system, int tagSlices, EventListener listener) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> sharded(ctx.getEntityId(),
                Slices.tagFor(persistenceIdOf(ctx.getEntityId()), tagSlices), listener, ctx.getShard()))
            .withStopMessage(new Passivate())
            .withRole(Roles.SHARD));
  }

  /** An entity outside sharding (tests): it stays when its order is done. */
  public static Behavior<Command> create(String orderId, String tag, EventListener listener) {
    return Behaviors.setup(ctx -> new Order(ctx, orderId, tag, listener, () -> {}));
  }

  /**
   * A sharded entity asks its shard to stop it once its order is done. Live entities are what
   * each young collection copies: a node holding its last 10,000 finished orders paused two to
   * three times longer (docs/PERFORMANCE.md, item 10).
   */
  private static Behavior<Command> sharded(String orderId, String tag, EventListener listener,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> new Order(ctx, orderId, tag, listener,
        () -> shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()))));
  }

  public static String persistenceIdOf(String orderId) {
    return PersistenceId.of(ENTITY_KEY.name(), orderId).id();
  }

  private final ActorContext<Command> context;
  private final String orderId;
  private final Set<String> tags;
  private final EventListener listener;
  private final Runnable whenDone;

  private Order(ActorContext<Command> context, String orderId, String tag, EventListener listener,
      Runnable whenDone) {
    super(PersistenceId.of(ENTITY_KEY.name(), orderId),
        SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.orderId = orderId;
    this.tags = Set.of(tag);
    this.listener = listener;
    this.whenDone = whenDone;
  }

  @Override
  public State emptyState() {
    return State.empty(orderId);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::handle);
  }

  private ReplyEffect<Event, State> handle(State state, Command command) {
    if (command instanceof Passivate) return Effect().stop().thenNoReply();
    Decision d = decide(state, command);
    if (d instanceof Decision.Persist p) {
      long start = System.nanoTime();
      return Effect().persist(p.event())
          .thenRun(after -> {
            listener.persisted(persistenceId().id(), lastSequenceNumber(context), p.event(), after,
                System.nanoTime() - start);
            if (after.isDone()) whenDone.run();
          })
          .thenReply(command.replyTo(), after -> {
            log.debug("Order {}: {} (status {})", orderId, p.event().type(), after.status());
            return StatusReply.success(after);
          });
    }
    StatusReply<State> reply = d instanceof Decision.Refused r ? refused(command, r) : StatusReply.success(state);
    // A done order never changes again: an entity started for a redelivery or a repeat leaves
    // after answering it, as does one whose last write's acknowledgement was lost.
    if (state.isDone()) return Effect().none().thenRun(s -> whenDone.run()).thenReply(command.replyTo(), s -> reply);
    return Effect().reply(command.replyTo(), reply);
  }

  private StatusReply<State> refused(Command command, Decision.Refused r) {
    try (var order = MDC.putCloseable("orderId", orderId)) {
      log.info("Order {}: refused {}: {}", orderId, command.getClass().getSimpleName(), r.reason());
    }
    return StatusReply.error(r.reason());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public Recovery recovery() {
    // Orders never snapshot (three events at most): skip the snapshot query on every recovery.
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }
}
