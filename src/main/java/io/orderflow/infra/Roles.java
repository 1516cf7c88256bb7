package io.orderflow.infra;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The parts a node runs (ROLES). They are also the node's Pekko cluster roles. */
public record Roles(Set<String> names) {
  public static final String SHARD = "shard";
  public static final String HTTP = "http";
  public static final String GRPC = "grpc";
  public static final String PUBLISHER = "publisher";
  public static final String PAYMENT = "payment";
  public static final String REVIEW = "review";
  public static final String STREAM_PROCESSOR = "stream-processor";
  public static final Set<String> ALL =
      Set.of(SHARD, HTTP, GRPC, PUBLISHER, PAYMENT, REVIEW, STREAM_PROCESSOR);

  public Roles {
    names = Set.copyOf(names);
  }

  /** Parses "http,shard,..."; empty means all; an unknown name is a start-up error. */
  public static Roles parse(String csv) {
    Set<String> names =
        Arrays.stream(csv.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    if (names.isEmpty()) return new Roles(ALL);
    for (String n : names) {
      if (!ALL.contains(n)) {
        throw new IllegalArgumentException(
            "ROLES: unknown role '" + n + "'; known roles are " + new TreeSet<>(ALL));
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
