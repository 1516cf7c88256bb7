package io.orderflow.infra.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded NATS: {@code nats-server} from PATH with JetStream, its store in
 * {@code DATA_DIR/nats}, its log in {@code DATA_DIR/nats-server.log} and its pid in
 * {@code DATA_DIR/nats-server.pid}, run by the node as a supervised child: when it dies a new one
 * starts on the same store and port, and the node's connection reconnects by itself.
 */
final class EmbeddedNats {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedNats.class);

  private final Child child;
  private final int port;

  private EmbeddedNats(Child child, int port) {
    this.child = child;
    this.port = port;
  }

  static Path pidFile(Path dataDir) {
    return dataDir.resolve("nats-server.pid");
  }

  static Path store(Path dataDir) {
    return dataDir.resolve("nats");
  }

  static EmbeddedNats start(Path dataDir, int port) throws IOException {
    Path store = store(dataDir);
    Files.createDirectories(store);
    Path executable = Processes.onPath("nats-server").orElseThrow(() -> new IOException(
        "nats-server is not on PATH, so no embedded NATS can start. Install it (Debian/Ubuntu: apt install "
            + "nats-server; elsewhere: https://github.com/nats-io/nats-server/releases), or set NATS_URL to a running "
            + "NATS with JetStream"));
    List<String> cmd = List.of(executable.toString(), "-js", "-a", "127.0.0.1", "-p", Integer.toString(port),
        "-sd", store.toString());
    Path logFile = dataDir.resolve("nats-server.log");
    Child child = Child.start(new Child.Spec("nats-server", cmd, logFile, pidFile(dataDir), "TERM",
        Duration.ofSeconds(15), false, p -> LocalServices.answers("127.0.0.1", port)), Duration.ofSeconds(20));
    log.info("NATS: embedded nats-server nats://127.0.0.1:{} (pid {}), store in {}, log {}", port, child.pid(), store,
        logFile);
    return new EmbeddedNats(child, port);
  }

  /**
   * A nats-server an earlier node left running on this store (found by its pid file) is stopped,
   * so that it is neither mistaken for a local NATS nor left running for ever.
   */
  static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = pidFile(dataDir);
    var pid = Processes.readPid(pidFile);
    if (pid.isEmpty()) return;
    List<String> cmd = Processes.commandLine(pid.get());
    if (!cmd.isEmpty() && cmd.get(0).endsWith("nats-server") && cmd.contains(store(dataDir).toString())) {
      log.warn("nats-server (pid {}) is still running on {}, left by an earlier node; stopping it", pid.get(),
          store(dataDir));
      if (!Processes.stop(pid.get(), "TERM", Duration.ofSeconds(15))) {
        throw new IOException("cannot stop the nats-server (pid " + pid.get() + ") running on " + store(dataDir));
      }
    }
    Files.deleteIfExists(pidFile);
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  long pid() {
    return child.pid();
  }

  void stop() {
    child.stop();
  }
}
