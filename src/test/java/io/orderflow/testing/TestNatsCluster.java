package io.orderflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Three nats-servers clustered on this machine with JetStream, a store and a server name each, as
 * scripts/nats-cluster.sh starts them, on free ports; a test can kill -9 any one of them.
 * Closing stops every server still running.
 */
public final class TestNatsCluster implements AutoCloseable, StreamMessages {
  public static final int SIZE = 3;

  /** One server: its name (server_name), client, route and monitoring ports. */
  public record Server(String name, int port, int routePort, int monitorPort, Path config, Path log) {
    public String url() {
      return "nats://127.0.0.1:" + port;
    }
  }

  private final Path dir;
  private final List<Server> servers = new ArrayList<>();
  private final Process[] processes = new Process[SIZE];

  public TestNatsCluster() throws Exception {
    dir = Files.createTempDirectory("orderflow-nats-cluster");
    for (int i = 0; i < SIZE; i++) {
      servers.add(new Server("orderflow-n" + (i + 1), Ports.free(), Ports.free(), Ports.free(),
          dir.resolve("n" + (i + 1) + ".conf"), dir.resolve("n" + (i + 1) + ".log")));
    }
    try {
      for (int i = 0; i < SIZE; i++) {
        Files.writeString(servers.get(i).config(), config(i));
        start(i);
      }
      // JetStream takes requests once the servers have elected a meta leader.
      Eventually.await(Duration.ofSeconds(30), "a JetStream meta leader", () -> !metaLeader().isEmpty());
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private String config(int i) {
    Server s = servers.get(i);
    String routes = servers.stream().filter(o -> o != s)
        .map(o -> "    nats://127.0.0.1:" + o.routePort()).collect(Collectors.joining("\n"));
    return "server_name: " + s.name() + "\n"
        + "listen: 127.0.0.1:" + s.port() + "\n"
        + "http_port: " + s.monitorPort() + "\n"
        + "jetstream {\n  store_dir: \"" + dir.resolve("n" + (i + 1)) + "\"\n  max_memory_store: 64MB\n"
        + "  max_file_store: 1GB\n}\n"
        + "cluster {\n  name: orderflow-test\n  listen: 127.0.0.1:" + s.routePort() + "\n  routes: [\n"
        + routes + "\n  ]\n}\n";
  }

  /** Every server's URL, comma-separated: a NATS_URL. */
  public String url() {
    return servers.stream().map(Server::url).collect(Collectors.joining(","));
  }

  /** The URLs of all servers but {@code i}. */
  public String urlWithout(int i) {
    return IntStream.range(0, SIZE).filter(j -> j != i).mapToObj(j -> servers.get(j).url())
        .collect(Collectors.joining(","));
  }

  public Server server(int i) {
    return servers.get(i);
  }

  /** The index of the server called {@code name}, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < SIZE; i++) if (servers.get(i).name().equals(name)) return i;
    return -1;
  }

  public synchronized void start(int i) throws IOException {
    Server s = servers.get(i);
    processes[i] = Children.track(new ProcessBuilder("nats-server", "-c", s.config().toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(s.log().toString())))
        .start());
    Eventually.await(Duration.ofSeconds(10), s.name() + " to listen", () -> TestDatabase.answers(s.port()));
  }

  /** kill -9 of server {@code i}: no goodbye to its clients or its cluster. */
  public synchronized void kill(int i) throws InterruptedException {
    processes[i].destroyForcibly();
    processes[i].waitFor();
  }

  public boolean isAlive(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  /** A connection to whichever servers are up. */
  public Connection connect() throws IOException, InterruptedException {
    return Nats.connect(Options.builder().server(url()).connectionTimeout(Duration.ofSeconds(5))
        .maxReconnects(5).build());
  }

  @Override
  public List<MessageInfo> messages(String stream) throws Exception {
    try (Connection nc = connect()) {
      return TestNats.messages(nc, stream);
    }
  }

  /** The monitoring endpoint {@code path} of a running server, as JSON. */
  JsonNode monitor(int i, String path) throws Exception {
    return Http.get("http://127.0.0.1:" + servers.get(i).monitorPort() + path).json();
  }

  /** The JetStream meta leader's name, as a running server sees it; empty while none. */
  public String metaLeader() throws Exception {
    for (int i = 0; i < SIZE; i++) {
      if (!isAlive(i)) continue;
      JsonNode leader = monitor(i, "/jsz").path("meta_cluster").path("leader");
      if (!leader.asText("").isEmpty()) return leader.asText();
    }
    return "";
  }

  /** The server a client connection named {@code connectionName} is on, or -1. */
  public int serverOf(String connectionName) throws Exception {
    for (int i = 0; i < SIZE; i++) {
      if (!isAlive(i)) continue;
      for (JsonNode c : monitor(i, "/connz?limit=1024").path("connections")) {
        if (connectionName.equals(c.path("name").asText())) return i;
      }
    }
    return -1;
  }

  /** The names of the servers leading stream {@code stream} and each of {@code consumers}. */
  public Map<String, String> leaders(String stream, List<String> consumers) throws Exception {
    try (Connection nc = connect()) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      Map<String, String> leaders = new java.util.LinkedHashMap<>();
      leaders.put(stream, jsm.getStreamInfo(stream).getClusterInfo().getLeader());
      for (String c : consumers) leaders.put(c, jsm.getConsumerInfo(stream, c).getClusterInfo().getLeader());
      return leaders;
    }
  }

  /**
   * Makes server {@code i} the leader of the stream and of each of the consumers, by asking the
   * current leaders to step down until the election lands on it (each election picks another replica).
   */
  public void leadOn(int i, String stream, List<String> consumers) throws Exception {
    String name = servers.get(i).name();
    Eventually.await(Duration.ofSeconds(60), name + " to lead " + stream + " and " + consumers, () -> {
      Map<String, String> leaders = leaders(stream, consumers);
      if (leaders.values().stream().allMatch(name::equals)) return true;
      try (Connection nc = connect()) {
        for (var e : leaders.entrySet()) {
          if (name.equals(e.getValue()) || e.getValue() == null) continue;
          String subject = e.getKey().equals(stream)
              ? "$JS.API.STREAM.LEADER.STEPDOWN." + stream
              : "$JS.API.CONSUMER.LEADER.STEPDOWN." + stream + "." + e.getKey();
          nc.request(subject, new byte[0], Duration.ofSeconds(5));
        }
      }
      Thread.sleep(1500); // the elections
      return false;
    });
  }

  /** The servers' logs, for a failing test's message. */
  public String logs() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Server s : servers) {
      if (Files.exists(s.log())) sb.append("== ").append(s.name()).append('\n')
          .append(Files.readString(s.log(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Override
  public synchronized void close() {
    for (Process p : processes) {
      if (p == null || !p.isAlive()) continue;
      p.destroy();
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
