package io.orderflow.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node run from the built jar as a child process, as a user runs it, so that it can be
 * killed with SIGKILL. Its log goes to target/it-logs.
 */
public final class JarNode implements AutoCloseable {
  public static final Path JAR = Path.of("target", "orderflow.jar");

  public final String name;
  public final Map<String, String> env;
  public final int httpPort;
  public final int pekkoPort;
  public final int managementPort;
  public final int grpcPort;
  private Process process;
  /** What java runs: the built jar, or a main class on a class path ({@link #fromClasspath}). */
  private List<String> launch = List.of("-jar", JAR.toString());

  public JarNode(String name, TestDatabase db, String natsUrl, Map<String, String> extraEnv) throws IOException {
    this.name = name;
    // Ports given in extraEnv are kept (a restarted node keeps its address), others are free ones.
    this.httpPort = port(extraEnv, "HTTP_PORT");
    this.pekkoPort = port(extraEnv, "PEKKO_PORT");
    this.managementPort = port(extraEnv, "MANAGEMENT_PORT");
    this.grpcPort = port(extraEnv, "GRPC_PORT");
    Map<String, String> e = new HashMap<>();
    e.put("DB_URL", db.url);
    e.put("DB_USER", "postgres");
    e.put("NATS_URL", natsUrl);
    e.put("HTTP_PORT", Integer.toString(httpPort));
    e.put("GRPC_PORT", Integer.toString(grpcPort));
    e.put("PEKKO_HOST", "127.0.0.1");
    e.put("PEKKO_PORT", Integer.toString(pekkoPort));
    e.put("MANAGEMENT_PORT", Integer.toString(managementPort));
    e.put("DATA_DIR", Files.createTempDirectory("orderflow-" + name).toString());
    e.putAll(extraEnv);
    this.env = e;
  }

  private static int port(Map<String, String> env, String name) {
    return env.containsKey(name) ? Integer.parseInt(env.get(name)) : Ports.free();
  }

  /** Runs the node from a class path instead of the built jar (e.g. {@link PreviousVersion#classpath()}). */
  public JarNode fromClasspath(String classpath) {
    this.launch = List.of("-cp", classpath, "io.orderflow.Main");
    return this;
  }

  public JarNode start() throws IOException {
    if (launch.contains(JAR.toString()) && !Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run mvn package first");
    }
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m"));
    command.addAll(launch);
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(logs.toFile(), name + ".log")));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  /** Waits until the node answers on HTTP. */
  public JarNode awaitUp(Duration timeout) {
    Eventually.await(timeout, name + " to answer HTTP", () -> {
      if (!process.isAlive()) throw new AssertionError(name + " exited with " + process.exitValue());
      return Http.get(url("/api/orders?limit=1")).status() == 200;
    });
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  /** SIGKILL: no shutdown hook, no coordinated shutdown, nothing flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: a graceful stop. */
  public int stop() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) kill();
  }
}
