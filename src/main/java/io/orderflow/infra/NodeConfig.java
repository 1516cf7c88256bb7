package io.orderflow.infra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's configuration: application.conf and the environment, with what the environment leaves
 * open filled in (a local or embedded database and NATS, the cluster roles and seed nodes).
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
    LocalServices local = new LocalServices();
    Map<String, Object> resolved = new HashMap<>();
    Path dataDir = Path.of(probe.getString("orderflow.data-dir"));
    if (probe.getString("orderflow.db.url").isEmpty()) {
      resolved.put("orderflow.db.url",
          local.database(probe.getString("orderflow.db.user"), probe.getString("orderflow.db.password"), dataDir));
    }
    if (probe.getString("orderflow.nats.url").isEmpty()) {
      resolved.put("orderflow.nats.url", local.nats(dataDir));
    }
    resolved.put("pekko.cluster.roles", new ArrayList<>(roles.names()));
    resolved.put("pekko.cluster.seed-nodes", seeds);
    Config config = ConfigFactory.load(ConfigFactory.parseMap(resolved).withFallback(unresolved));
    boolean bootstrap = seeds.isEmpty() && System.getenv("DISCOVERY_METHOD") != null;
    return new NodeConfig(config, roles, bootstrap, local);
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
