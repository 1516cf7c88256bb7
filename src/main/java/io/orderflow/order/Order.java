package io.orderflow.order;

import io.orderflow.infra.CborSerializable;
import io.orderflow.infra.Roles;
import io.orderflow.infra.Slices;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
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

  public record RecordPaymentDebited(String paymentId, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record RecordPaymentDeclined(String reason, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Approve(ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Reject(String reason, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public record Get(ActorRef<StatusReply<State>> replyTo) implements Command {}

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
  }

  /** Every order event type, the subjects of stream {@code order}. */
  public static final Set<String> EVENT_TYPES = Set.of(OrderCreated.TYPE, PaymentDebited.TYPE,
      PaymentDeclined.TYPE, OrderApproved.TYPE, OrderRejected.TYPE);

  public record OrderCreated(
      String orderId, String customerId, String restaurantId, List<OrderItem> orderItems,
      BigDecimal amount, long createdOn) implements Event {
    public OrderCreated {
      orderItems = List.copyOf(orderItems);
      amount = amount.setScale(2, RoundingMode.UNNECESSARY);
    }

    public static final String TYPE = "order.created";

    public String type() {
      return TYPE;
    }
  }

  public record PaymentDebited(String orderId, String paymentId) implements Event {
    public static final String TYPE = "order.payment.debited";

    public String type() {
      return TYPE;
    }
  }

  public record PaymentDeclined(String orderId, String reason) implements Event {
    public static final String TYPE = "order.payment.declined";

    public String type() {
      return TYPE;
    }
  }

  public record OrderApproved(String orderId) implements Event {
    public static final String TYPE = "order.approved";

    public String type() {
      return TYPE;
    }
  }

  public record OrderRejected(String orderId, String reason) implements Event {
    public static final String TYPE = "order.rejected";

    public String type() {
      return TYPE;
    }
  }

  // ---- state ----------------------------------------------------------------------------

  /** The order after all its events (status null: the order does not exist yet). */
  public record State(
      String orderId, String customerId, String restaurantId, OrderStatus status, long createdOn,
      BigDecimal amount, List<OrderItem> orderItems, String paymentId, String reason)
      implements CborSerializable {

    public State {
      orderItems = orderItems == null ? List.of() : List.copyOf(orderItems);
      amount = amount == null ? null : amount.setScale(2, RoundingMode.UNNECESSARY);
    }

    public static State empty(String orderId) {
      return new State(orderId, null, null, null, 0L, null, List.of(), null, null);
    }

    public boolean exists() {
      return status != null;
    }

    public int totalQuantity() {
      return orderItems.stream().mapToInt(OrderItem::quantity).sum();
    }

    /** True when a create request asks for exactly this order. */
    boolean sameContent(NewOrder o) {
      return customerId.equals(o.customerId()) && restaurantId.equals(o.restaurantId())
          && orderItems.equals(o.orderItems()) && amount.compareTo(o.amount()) == 0;
    }

    public State apply(Event event) {
      if (event instanceof OrderCreated e) {
        return new State(e.orderId(), e.customerId(), e.restaurantId(), OrderStatus.Pending, e.createdOn(),
            e.amount(), e.orderItems(), null, null);
      } else if (event instanceof PaymentDebited e) {
        return with(OrderStatus.Paid, e.paymentId(), null);
      } else if (event instanceof PaymentDeclined e) {
        return with(OrderStatus.Declined, null, e.reason());
      } else if (event instanceof OrderApproved) {
        return with(OrderStatus.Approved, paymentId, null);
      } else if (event instanceof OrderRejected e) {
        return with(OrderStatus.Rejected, paymentId, e.reason());
      }
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private State with(OrderStatus newStatus, String newPaymentId, String newReason) {
      return new State(orderId, customerId, restaurantId, newStatus, createdOn, amount, orderItems,
          newPaymentId, newReason);
    }
  }

  /** Told of every event right after it is journaled (the publisher's fast path). */
  @FunctionalInterface
  public interface EventListener {
    EventListener NONE = (persistenceId, seqNr, event, after) -> {};

    void persisted(String persistenceId, long seqNr, Event event, State after);
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
    String id = s.orderId();
    if (c instanceof Create cr) {
      if (!s.exists()) {
        NewOrder o = cr.order();
        return new Decision.Persist(new OrderCreated(id, o.customerId(), o.restaurantId(), o.orderItems(),
            o.amount(), cr.createdOn()));
      }
      return s.sameContent(cr.order())
          ? UNCHANGED
          : new Decision.Refused("order " + id + " already exists with different content");
    }
    if (!s.exists()) return new Decision.Refused("order " + id + " does not exist");
    if (c instanceof Get) return UNCHANGED;
    OrderStatus st = s.status();
    if (c instanceof RecordPaymentDebited d) {
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
    throw new IllegalArgumentException("unknown command " + c.getClass().getName());
  }

  private static Decision refuse(State s, String why) {
    return new Decision.Refused("order " + s.orderId() + " is " + s.status() + ": " + why);
  }

  // ---- the entity -----------------------------------------------------------------------

  public static void init(ActorSystem<?> system, int tagSlices, EventListener listener) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(),
                Slices.tagFor(persistenceIdOf(ctx.getEntityId()), tagSlices), listener))
            .withStopMessage(new Passivate())
            .withRole(Roles.SHARD));
  }

  public static Behavior<Command> create(String orderId, String tag, EventListener listener) {
    return Behaviors.setup(ctx -> new Order(ctx, orderId, tag, listener));
  }

  public static String persistenceIdOf(String orderId) {
    return PersistenceId.of(ENTITY_KEY.name(), orderId).id();
  }

  private final ActorContext<Command> context;
  private final String orderId;
  private final Set<String> tags;
  private final EventListener listener;

  private Order(ActorContext<Command> context, String orderId, String tag, EventListener listener) {
    super(PersistenceId.of(ENTITY_KEY.name(), orderId),
        SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.orderId = orderId;
    this.tags = Set.of(tag);
    this.listener = listener;
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
      return Effect().persist(p.event())
          .thenRun(after -> listener.persisted(persistenceId().id(), lastSequenceNumber(context), p.event(), after))
          .thenReply(command.replyTo(), after -> {
            log.debug("Order {}: {} (status {})", orderId, p.event().type(), after.status());
            return StatusReply.success(after);
          });
    }
    if (d instanceof Decision.Refused r) {
      log.info("Order {}: refused {}: {}", orderId, command.getClass().getSimpleName(), r.reason());
      return Effect().reply(command.replyTo(), StatusReply.error(r.reason()));
    }
    return Effect().reply(command.replyTo(), StatusReply.success(state));
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
