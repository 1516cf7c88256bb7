package io.orderflow.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node run from the built jar as a child process, as a user runs it, so that it can be
 * killed with SIGKILL. Its log goes to target/it-logs. On the embedded services
 * ({@link #embedded}) it runs in a directory of its own, and closing it also kills whatever
 * PostgreSQL or nats-server its pid files name, so a failed test leaves nothing behind.
 */
public final class JarNode implements AutoCloseable {
  public static final Path JAR = Path.of("target", "orderflow.jar").toAbsolutePath();

  public final String name;
  public final Map<String, String> env;
  public final int httpPort;
  public final int pekkoPort;
  public final int managementPort;
  public final int grpcPort;
  private final Path workDir;
  private final Path logFile;
  private boolean ownSession;
  private long logStart;
  private Process process;
  /** What java runs: the built jar, or a main class on a class path ({@link #fromClasspath}). */
  private List<String> launch = List.of("-jar", JAR.toString());
  /** The java that runs it, and its options: the test's own unless {@link #withJava}. */
  private String java = ProcessHandle.current().info().command().orElse("java");
  private List<String> jvmOptions = List.of("-Xmx512m");

  public JarNode(String name, TestDatabase db, String natsUrl, Map<String, String> extraEnv) throws IOException {
    this(name, null, withDefaults(Map.of("DB_URL", db.url, "DB_USER", "postgres", "NATS_URL", natsUrl,
        "DATA_DIR", Files.createTempDirectory("orderflow-" + name).toString()), extraEnv));
  }

  private JarNode(String name, Path workDir, Map<String, String> env) {
    this.name = name;
    this.workDir = workDir;
    this.env = env;
    this.httpPort = Integer.parseInt(env.get("HTTP_PORT"));
    this.pekkoPort = Integer.parseInt(env.get("PEKKO_PORT"));
    this.managementPort = Integer.parseInt(env.get("MANAGEMENT_PORT"));
    this.grpcPort = Integer.parseInt(env.get("GRPC_PORT"));
    this.logFile = Path.of("target", "it-logs", name + ".log").toAbsolutePath();
  }

  /**
   * A node on its own embedded PostgreSQL and nats-server (DB_URL=embedded, NATS_URL=embedded, on
   * free ports) even where servers answer on 5432 and 4222, run in {@code workDir} with its data
   * in {@code workDir/data}. The same {@code env} gives a restart the same ports and data.
   */
  public static JarNode embedded(String name, Path workDir, Map<String, String> extraEnv) {
    Map<String, String> e = new HashMap<>(Map.of("DB_URL", "embedded", "NATS_URL", "embedded",
        "EMBEDDED_PG_PORT", Integer.toString(Ports.free()), "EMBEDDED_NATS_PORT", Integer.toString(Ports.free()),
        "DATA_DIR", workDir.resolve("data").toString()));
    return new JarNode(name, workDir, withDefaults(e, extraEnv));
  }

  /** The same node again (same directory, ports, data and launch), logging to {@code newName}. */
  public JarNode again(String newName) {
    JarNode next = new JarNode(newName, workDir, new HashMap<>(env));
    next.ownSession = ownSession;
    next.launch = launch;
    next.java = java;
    next.jvmOptions = jvmOptions;
    return next;
  }

  /** Ports given are kept (a restarted node keeps its address), others are free ones. */
  private static Map<String, String> withDefaults(Map<String, String> base, Map<String, String> extraEnv) {
    Map<String, String> e = new HashMap<>(base);
    for (String port : List.of("HTTP_PORT", "GRPC_PORT", "PEKKO_PORT", "MANAGEMENT_PORT")) {
      e.put(port, Integer.toString(Ports.free()));
    }
    e.put("PEKKO_HOST", "127.0.0.1");
    e.putAll(extraEnv);
    return e;
  }

  /** Runs the node in a session (and process group) of its own, as a shell runs a foreground job. */
  public JarNode inOwnSession() {
    ownSession = true;
    return this;
  }

  /** Runs the node from a class path instead of the built jar (e.g. {@link PreviousVersion#classpath()}). */
  public JarNode fromClasspath(String classpath) {
    this.launch = List.of("-cp", classpath, "io.orderflow.Main");
    return this;
  }

  /** Runs the node on another JDK, with these JVM options instead of the test's {@code -Xmx512m}. */
  public JarNode withJava(String java, String... options) {
    this.java = java;
    this.jvmOptions = List.of(options);
    return this;
  }

  public JarNode start() throws IOException {
    if (launch.contains(JAR.toString()) && !Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run mvn package first");
    }
    Files.createDirectories(logFile.getParent());
    logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmOptions);
    cmd.addAll(launch);
    if (ownSession) cmd.add(0, "setsid");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    if (workDir != null) pb.directory(workDir.toFile());
    pb.environment().putAll(env);
    process = Children.track(pb.start());
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

  public long pid() {
    return process.pid();
  }

  /** What this run of the node has logged so far. */
  public String log() throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    return new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
  }

  public Path dataDir() {
    return Path.of(env.get("DATA_DIR"));
  }

  /** The embedded PostgreSQL's postmaster, from its postmaster.pid; -1 when none. */
  public long postgresPid() {
    return Pids.read(dataDir().resolve("postgres/postmaster.pid"));
  }

  /** The embedded nats-server, from the node's pid file; -1 when none. */
  public long natsPid() {
    return Pids.read(dataDir().resolve("nats-server.pid"));
  }

  /** The embedded database, at the port its postmaster.pid gives (line 4). */
  public String embeddedJdbcUrl() throws IOException {
    String port = Files.readAllLines(dataDir().resolve("postgres/postmaster.pid")).get(3).trim();
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
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

  /** Ctrl-C in the node's terminal: SIGINT to its whole process group (see {@link #inOwnSession}). */
  public int interrupt() throws Exception {
    if (!ownSession) throw new IllegalStateException("Ctrl-C needs the node in a process group of its own");
    Pids.signal(-process.pid(), "INT");
    return process.waitFor();
  }

  /** kill -STOP: every thread of the node stops at once, as in a long GC pause or a suspended container. */
  public void freeze() throws Exception {
    Pids.signal(pid(), "STOP");
  }

  /** kill -CONT: every thread of a frozen node resumes at once. */
  public void thaw() throws Exception {
    Pids.signal(pid(), "CONT");
  }

  /** The exit status of the node's process, once it has ended. */
  public int exitValue() {
    return process.exitValue();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Kills the node if it still runs, and any embedded server its pid files still name. */
  @Override
  public void close() throws InterruptedException {
    if (isAlive()) kill();
    if (!env.containsKey("DATA_DIR")) return;
    try {
      for (long pid : List.of(postgresPid(), natsPid())) {
        List<String> cmd = Pids.commandLine(pid);
        if (Pids.running(pid) && !cmd.isEmpty() && String.join(" ", cmd).contains(dataDir().toString())) {
          Pids.signal(pid, "KILL");
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
