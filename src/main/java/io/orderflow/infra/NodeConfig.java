package io.orderflow.infra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.orderflow.infra.embedded.LocalServices;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A node's configuration: application.conf and the environment, with what the environment leaves
 * open filled in (a local or embedded database and NATS, the cluster roles and seed nodes, the
 * address to listen on).
 *
 * @param bootstrap form the cluster by Pekko Cluster Bootstrap (no seed nodes, DISCOVERY_METHOD set)
 * @param local the embedded services this node started, stopped with it
 */
public record NodeConfig(Config config, Roles roles, boolean bootstrap, LocalServices local) {
  public static final String SYSTEM_NAME = "orderflow";

  /** Resolves the configuration; {@code overrides} win over application.conf and the environment. */
  public static NodeConfig resolve(Config overrides, Collection<String> knownRoles) throws Exception {
    Config unresolved = overrides.withFallback(ConfigFactory.parseResourcesAnySyntax("application"));
    Config probe = ConfigFactory.load(unresolved);
    Roles roles = Roles.parse(probe.getString("orderflow.roles"), knownRoles);
    List<String> seeds = seedNodes(probe);
    LocalServices local = new LocalServices(LocalServices.Settings.of(probe));
    Map<String, Object> resolved = new HashMap<>();
    try {
      String db = probe.getString("orderflow.db.url");
      if (LocalServices.decides(db)) {
        resolved.put("orderflow.db.url",
            local.database(db, probe.getString("orderflow.db.user"), probe.getString("orderflow.db.password")));
      }
      String nats = probe.getString("orderflow.nats.url");
      if (LocalServices.decides(nats)) resolved.put("orderflow.nats.url", local.nats(nats));
    } catch (Exception e) {
      local.close();
      throw e;
    }
    if (probe.getString("orderflow.bind-host").isEmpty()) {
      resolved.put("orderflow.bind-host", bindHost(probe.getString("pekko.remote.artery.canonical.hostname")));
    }
    resolved.put("pekko.cluster.roles", new ArrayList<>(roles.names()));
    resolved.put("pekko.cluster.seed-nodes", seeds);
    String retrieval = "jdbc-read-journal.journal-sequence-retrieval";
    Duration queryDelay = probe.getDuration(retrieval + ".query-delay");
    if (!probe.getBoolean("orderflow.publisher.fast-path") && System.getenv("READ_JOURNAL_REFRESH") == null) {
      // Without the fast path every hop of an order waits for the publisher: look for new events often.
      queryDelay = Duration.ofMillis(20);
    }
    resolved.put(retrieval + ".query-delay", queryDelay.toMillis() + "ms");
    // However often the node looks, a gap in the orderings is waited for gap-wait (orderflow.conf).
    long gapWait = probe.getDuration("orderflow.publisher.gap-wait").toMillis();
    resolved.put(retrieval + ".max-tries", Math.max(1, (int) Math.ceil((double) gapWait / Math.max(1, queryDelay.toMillis()))));
    Config config = ConfigFactory.load(ConfigFactory.parseMap(resolved).withFallback(unresolved));
    boolean bootstrap = seeds.isEmpty() && System.getenv("DISCOVERY_METHOD") != null;
    return new NodeConfig(config, roles, bootstrap, local);
  }

  /** The node's actor system; the embedded services stop once it has terminated. */
  public ActorSystem<Void> createSystem() {
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    } catch (RuntimeException e) {
      local.close();
      throw e;
    }
    local.stopAfter(system);
    return system;
  }

  /**
   * BIND_HOST left empty: a node whose cluster address is a loopback one (the default, one node
   * on a laptop) listens on 127.0.0.1 only, so a first run exposes nothing; a node that tells
   * others to reach it at another address (PEKKO_HOST, a cluster or a pod) listens on every
   * interface, as load balancers, probes and Cluster Bootstrap need.
   */
  static String bindHost(String canonicalHostname) {
    try {
      return InetAddress.getByName(canonicalHostname).isLoopbackAddress() ? "127.0.0.1" : "0.0.0.0";
    } catch (java.net.UnknownHostException e) {
      return "0.0.0.0";
    }
  }

  /** Seeds from SEED_NODES; none and no discovery: the node joins itself. */
  static List<String> seedNodes(Config config) {
    List<String> seeds = new ArrayList<>();
    for (String hostPort : config.getString("orderflow.seed-nodes").split(",")) {
      String s = hostPort.trim();
      if (s.isEmpty()) continue;
      if (!s.matches("[^:/@]+:\\d{1,5}")) {
        throw new IllegalArgumentException("SEED_NODES: '" + s + "' is not host:port");
      }
      seeds.add("pekko://" + SYSTEM_NAME + "@" + s);
    }
    if (seeds.isEmpty() && System.getenv("DISCOVERY_METHOD") == null) {
      seeds.add("pekko://" + SYSTEM_NAME + "@" + config.getString("pekko.remote.artery.canonical.hostname") + ":"
          + config.getInt("pekko.remote.artery.canonical.port"));
    }
    return seeds;
  }
}
