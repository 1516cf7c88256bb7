package io.orderflow.infra;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The parts a node runs (ROLES). They are also the node's Pekko cluster roles: entities live on
 * {@code shard} nodes, publisher slices on {@code publisher} nodes, a worker on nodes with its role.
 */
public record Roles(Set<String> names) {
  public static final String SHARD = "shard";
  public static final String HTTP = "http";
  public static final String GRPC = "grpc";
  public static final String PUBLISHER = "publisher";
  /** The roles of the node itself; each worker adds its own. */
  public static final Set<String> CORE = Set.of(SHARD, HTTP, GRPC, PUBLISHER);

  public Roles {
    names = Set.copyOf(names);
  }

  /** Parses "http,shard,..."; empty means all of {@code known}; an unknown name is a start-up error. */
  public static Roles parse(String csv, Collection<String> known) {
    Set<String> names =
        Arrays.stream(csv.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    if (names.isEmpty()) return new Roles(Set.copyOf(known));
    for (String n : names) {
      if (!known.contains(n)) {
        throw new IllegalArgumentException(
            "ROLES: unknown role '" + n + "'; known roles are " + new TreeSet<>(known));
      }
    }
    return new Roles(names);
  }

  public boolean has(String role) {
    return names.contains(role);
  }

  @Override
  public String toString() {
    return String.join(",", new TreeSet<>(names));
  }
}
