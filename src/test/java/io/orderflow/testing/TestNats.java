package io.orderflow.testing;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A nats-server of the test's own, started from the project's jetstream.conf on free ports with
 * a temporary store, so a test can stop, restart or kill its broker without touching others.
 */
public final class TestNats implements AutoCloseable, StreamMessages {
  public final int port;
  private final Path dir;
  private final Path config;
  private Process process;

  public TestNats() throws IOException {
    this.port = Ports.free();
    this.dir = Files.createTempDirectory("orderflow-nats");
    String conf = Files.readString(Path.of("jetstream.conf"))
        .replace("listen: 127.0.0.1:4222", "listen: 127.0.0.1:" + port)
        .replace("http_port: 8222", "http_port: " + Ports.free())
        .replace("store_dir: \"./data/nats\"", "store_dir: \"" + dir.resolve("store") + "\"");
    if (!conf.contains(dir.toString())) throw new IllegalStateException("jetstream.conf changed shape: " + conf);
    this.config = dir.resolve("jetstream.conf");
    Files.writeString(config, conf);
    start();
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public synchronized void start() throws IOException {
    process = Children.track(new ProcessBuilder("nats-server", "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.toFile(), "nats.log")))
        .start());
    Eventually.await(Duration.ofSeconds(10), "nats-server to listen", () -> TestDatabase.answers(port));
  }

  /** Graceful stop (SIGTERM), waiting until it is gone. */
  public synchronized void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  /** kill -STOP: the server keeps its connections open and answers nothing, as a hung broker would. */
  public synchronized void freeze() throws IOException, InterruptedException {
    Pids.signal(process.pid(), "STOP");
  }

  /** kill -CONT after {@link #freeze}. */
  public synchronized void thaw() throws IOException, InterruptedException {
    Pids.signal(process.pid(), "CONT");
  }

  /** A connection for the test's own look at the stream. */
  public Connection connect() throws IOException, InterruptedException {
    return Nats.connect(url());
  }

  @Override
  public List<MessageInfo> messages(String stream) throws Exception {
    try (Connection nc = connect()) {
      return messages(nc, stream);
    }
  }

  /** Every message in {@code stream}, in stream order, read over {@code nc}. */
  static List<MessageInfo> messages(Connection nc, String stream) throws Exception {
    JetStreamManagement jsm = nc.jetStreamManagement();
    long last = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    long first = jsm.getStreamInfo(stream).getStreamState().getFirstSequence();
    List<MessageInfo> all = new ArrayList<>();
    for (long seq = Math.max(1, first); seq <= last; seq++) all.add(jsm.getMessage(stream, seq));
    return all;
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) stop();
  }
}
