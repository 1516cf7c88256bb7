package io.orderflow.infra;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * What {@code /ready} on the management port asks besides cluster membership: the database
 * answers, NATS is connected, and the node's HTTP and gRPC servers listen. A node that cannot
 * reach its database or NATS answers 500 there, so a load balancer sends its clients elsewhere;
 * {@code /alive} stays 200, since a restart would not help. Pekko Management creates the checks
 * from their class names (health-checks.readiness-checks in cluster.conf) with the classic
 * ActorSystem; they find the node's parts here. Until a part has registered (the node is
 * starting), its check says not ready.
 */
public final class Readiness implements Extension {
  private static final BooleanSupplier NOT_YET = () -> false;

  private volatile BooleanSupplier database = NOT_YET;
  private volatile BooleanSupplier nats = NOT_YET;
  /** Servers of this node not bound yet, and whether the node has started all it runs. */
  private final Set<String> binding = ConcurrentHashMap.newKeySet();
  private volatile boolean serversStarted;

  public static Readiness get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return Id.INSTANCE.get(Adapter.toClassic(system));
  }

  void database(BooleanSupplier up) {
    this.database = up;
  }

  void nats(BooleanSupplier connected) {
    this.nats = connected;
  }

  /** A server of this node is binding; the node is not ready before it listens. */
  public void binding(String what, CompletionStage<?> bound) {
    binding.add(what);
    bound.thenRun(() -> binding.remove(what));
  }

  /** The node has started binding every server it runs. */
  public void serversStarted() {
    serversStarted = true;
  }

  boolean serversListen() {
    return serversStarted && binding.isEmpty();
  }

  /** A readiness check on this node's {@link Readiness}; Pekko Management makes it with the classic system. */
  private abstract static class Check implements Supplier<CompletionStage<Boolean>> {
    private final Readiness readiness;
    private final Predicate<Readiness> ready;

    Check(ActorSystem system, Predicate<Readiness> ready) {
      this.readiness = Id.INSTANCE.get(system);
      this.ready = ready;
    }

    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(ready.test(readiness));
    }
  }

  /** Readiness check: the database answered its last probe. */
  public static final class DatabaseCheck extends Check {
    public DatabaseCheck(ActorSystem system) {
      super(system, r -> r.database.getAsBoolean());
    }
  }

  /** Readiness check: the node's NATS connection is up (not reconnecting). */
  public static final class NatsCheck extends Check {
    public NatsCheck(ActorSystem system) {
      super(system, r -> r.nats.getAsBoolean());
    }
  }

  /** Readiness check: the node's order API and gRPC servers listen (a failed binding stops the node). */
  public static final class ServersCheck extends Check {
    public ServersCheck(ActorSystem system) {
      super(system, Readiness::serversListen);
    }
  }

  static final class Id extends AbstractExtensionId<Readiness> {
    static final Id INSTANCE = new Id();

    @Override
    public Readiness createExtension(ExtendedActorSystem system) {
      return new Readiness();
    }
  }
}
