package io.orderflow.infra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.util.List;

/**
 * Every environment variable a node reads, in one list: {@code --help} prints it and the table in
 * docs/OPERATIONS.md is rendered from it (EnvironmentVariablesTest keeps both, and the .conf files,
 * in step). Defaults come from application.conf itself where a variable sets a key there.
 */
public final class EnvironmentVariables {
  /**
   * @param configPath the key it overrides (its application.conf value is the default), or null
   * @param fallback what an unset variable means, where the key's value alone does not say it
   */
  public record Variable(String name, String configPath, String fallback, String description) {}

  public static final List<Variable> ALL = List.of(
      new Variable("DB_URL", "orderflow.db.url", "local 127.0.0.1:5432 if it answers, else embedded",
          "JDBC URL of PostgreSQL or CockroachDB, or `embedded` to always start the embedded PostgreSQL"),
      new Variable("DB_USER", "orderflow.db.user", null, "database user"),
      new Variable("DB_PASSWORD", "orderflow.db.password", "empty", "database password"),
      new Variable("DB_POOL_SIZE", "orderflow.db.pool-size", null, "connections in the node's one pool"),
      new Variable("NATS_URL", "orderflow.nats.url", "local nats://127.0.0.1:4222 if it answers, else embedded",
          "NATS server URL with JetStream, or the comma-separated URLs of a NATS cluster's servers, or `embedded` "
              + "to always start the embedded nats-server"),
      new Variable("NATS_REPLICAS", "orderflow.nats.replicas", null,
          "replicas of the streams orderflow creates: 3 on a three-server JetStream cluster (docs/CLUSTER.md)"),
      new Variable("DATA_DIR", "orderflow.data-dir", null,
          "where the embedded PostgreSQL and nats-server keep their data and logs"),
      new Variable("EMBEDDED_PG_PORT", "orderflow.embedded.pg-port", null,
          "port of the embedded PostgreSQL; another free one if taken, 0: any"),
      new Variable("EMBEDDED_PG_FSYNC", "orderflow.embedded.pg-fsync", null,
          "`off`: faster embedded PostgreSQL that a machine crash can lose answered orders from (docs/EMBEDDED.md)"),
      new Variable("EMBEDDED_NATS_PORT", "orderflow.embedded.nats-port", null,
          "port of the embedded nats-server; another free one if taken, 0: any"),
      new Variable("HTTP_PORT", "orderflow.http.port", null, "order API port"),
      new Variable("GRPC_PORT", "orderflow.grpc.port", null, "gRPC EventStore port"),
      new Variable("MANAGEMENT_PORT", "pekko.management.http.port", null,
          "Pekko Management: /ready, /alive, /cluster/members"),
      new Variable("BIND_HOST", "orderflow.bind-host", "127.0.0.1 if PEKKO_HOST is a loopback address, else 0.0.0.0",
          "interface the order API, gRPC and management listen on"),
      new Variable("HTTP_HOST", "orderflow.http.interface", "BIND_HOST", "interface of the order API"),
      new Variable("GRPC_HOST", "orderflow.grpc.interface", "BIND_HOST", "interface of the gRPC EventStore"),
      new Variable("MANAGEMENT_HOST", "pekko.management.http.bind-hostname", "BIND_HOST",
          "interface of Pekko Management"),
      new Variable("PEKKO_HOST", "pekko.remote.artery.canonical.hostname", null,
          "this node's cluster address, as other nodes reach it"),
      new Variable("PEKKO_PORT", "pekko.remote.artery.canonical.port", null, "this node's cluster port"),
      new Variable("SEED_NODES", "orderflow.seed-nodes", "this node alone",
          "comma-separated host:port of the cluster's seed nodes"),
      new Variable("DISCOVERY_METHOD", null, "unset",
          "with no SEED_NODES: form the cluster by Pekko Cluster Bootstrap (e.g. kubernetes-api)"),
      new Variable("DISCOVERY_SERVICE_NAME", "pekko.management.cluster.bootstrap.contact-point-discovery.service-name",
          null, "service name Cluster Bootstrap looks up"),
      new Variable("REQUIRED_CONTACT_POINTS",
          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr", null,
          "nodes Cluster Bootstrap waits for before forming a new cluster"),
      new Variable("ROLES", "orderflow.roles", "all",
          "parts this node runs, comma-separated: shard, http, grpc, publisher, payment, review, stream-processor"),
      new Variable("PAYMENT_MAX_AMOUNT", "orderflow.payment.max-amount", null,
          "the simulated payment gateway declines larger amounts"),
      new Variable("PAYMENT_REFUNDS", "orderflow.payment.refunds", null,
          "refund rejected orders; `off` only while nodes older than refunds still run (docs/EVENT-VERSIONS.md)"),
      new Variable("REVIEW_MAX_QUANTITY", "orderflow.review.max-quantity", null,
          "review rejects orders with more items in total"),
      new Variable("EVENTSTORE_AGGREGATE_TYPES", "orderflow.eventstore.aggregate-types",
          "any, at most 16 of them",
          "generic aggregate types gRPC CreateEvent accepts, comma-separated; each is a JetStream stream"),
      new Variable("PUBLISHER_FAST_PATH", "orderflow.publisher.fast-path", null,
          "also publish each event right after it is journaled (docs/PERFORMANCE.md)"),
      new Variable("READ_JOURNAL_REFRESH", "jdbc-read-journal.journal-sequence-retrieval.query-delay", null,
          "how often the node looks for new events in the journal (the publisher's delay for events the fast path did not carry)"),
      new Variable("LOG_LEVEL", null, "INFO", "root log level (logback.xml)"),
      new Variable("LOG_FORMAT", null, "text",
          "`text` for people, `json` for one JSON object per line with the order id in `mdc` (logback.xml)"));

  private EnvironmentVariables() {}

  /** application.conf (with the libraries' reference.conf) as it is when no variable is set. */
  private static Config defaults() {
    return ConfigFactory.parseResourcesAnySyntax("application")
        .withFallback(ConfigFactory.defaultReference())
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  /** The default of each variable, as --help and the docs show it. */
  /** An environment variable's value, or {@code fallback} when it is unset or empty. */
  public static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  public static String defaultOf(Variable v, Config defaults) {
    if (v.fallback() != null) return v.fallback();
    String value = defaults.getValue(v.configPath()).unwrapped().toString();
    return value.isEmpty() ? "empty" : value;
  }

  /** The list for --help: name, what it does and its default, wrapped to 80 columns. */
  public static String help() {
    Config defaults = defaults();
    int indent = ALL.stream().mapToInt(v -> v.name().length()).max().orElse(0) + 4;
    StringBuilder sb = new StringBuilder("Environment variables (default in brackets):%n");
    for (Variable v : ALL) {
      String text = v.description().replace("`", "") + " [" + defaultOf(v, defaults) + "]";
      StringBuilder line = new StringBuilder("  " + v.name() + " ".repeat(indent - 2 - v.name().length()));
      for (String word : text.split(" ")) {
        if (line.length() + 1 + word.length() > 80 && line.toString().trim().length() > v.name().length()) {
          sb.append(line.toString().stripTrailing()).append("%n");
          line = new StringBuilder(" ".repeat(indent));
        }
        line.append(word).append(' ');
      }
      sb.append(line.toString().stripTrailing()).append("%n");
    }
    // picocli formats the footer: a literal % must be doubled
    return sb.toString().replace("%", "%%").replace("%%n", "%n");
  }

  /** The table in docs/OPERATIONS.md. */
  public static String markdownTable() {
    Config defaults = defaults();
    StringBuilder sb = new StringBuilder("| variable | default | what |\n| --- | --- | --- |\n");
    for (Variable v : ALL) {
      sb.append("| `").append(v.name()).append("` | ").append(defaultOf(v, defaults)).append(" | ")
          .append(v.description()).append(" |\n");
    }
    return sb.toString();
  }
}
