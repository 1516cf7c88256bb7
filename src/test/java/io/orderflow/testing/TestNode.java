package io.orderflow.testing;

import com.typesafe.config.ConfigFactory;
import io.orderflow.Main;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** A node started in this JVM by {@link Main#start}, on free ports. */
public final class TestNode implements AutoCloseable {
  public final Main.Node node;
  public final int httpPort;
  public final int grpcPort;
  public final int pekkoPort;
  public final int managementPort;

  private TestNode(Main.Node node, int httpPort, int grpcPort, int pekkoPort, int managementPort) {
    this.node = node;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.pekkoPort = pekkoPort;
    this.managementPort = managementPort;
  }

  public static TestNode start(TestDatabase db, String natsUrl, Map<String, Object> extra) throws Exception {
    int http = Ports.free();
    int grpc = Ports.free();
    int pekko = Ports.free();
    int management = Ports.free();
    Map<String, Object> config = new HashMap<>();
    config.put("orderflow.db.url", db.url);
    config.put("orderflow.db.user", "postgres");
    config.put("orderflow.nats.url", natsUrl);
    config.put("orderflow.http.port", http);
    config.put("orderflow.grpc.port", grpc);
    config.put("orderflow.seed-nodes", "");
    config.put("orderflow.data-dir", Files.createTempDirectory("orderflow-node").toString());
    config.put("pekko.remote.artery.canonical.port", pekko);
    config.put("pekko.management.http.port", management);
    // Tests stop nodes; the test JVM must live on.
    config.put("pekko.coordinated-shutdown.exit-jvm", "off");
    config.putAll(extra);
    Main.Node node = Main.start(ConfigFactory.parseMap(config));
    return new TestNode(node, http, grpc, pekko, management);
  }

  public static TestNode start(TestDatabase db, String natsUrl) throws Exception {
    return start(db, natsUrl, Map.of());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  @Override
  public void close() throws Exception {
    node.stop();
  }
}
