package io.orderflow;

import com.typesafe.config.ConfigFactory;
import io.orderflow.bench.Bench;
import io.orderflow.infra.EnvironmentVariables;
import io.orderflow.view.ReadModelRebuild;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar orderflow.jar [COMMAND]}: {@code node} (the default) or one of the tools.
 * {@code --help} and {@code --version} are inherited by every command.
 */
@Command(name = "orderflow", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
    versionProvider = Cli.Version.class, synopsisSubcommandLabel = "[COMMAND]",
    description = {"An event-sourced order service on Apache Pekko, PostgreSQL and NATS JetStream.",
        "With no command it starts a node (see `node --help`)."})
public final class Cli implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Cli.class);

  /** The commands; a new one is a @Command class added here. */
  static final List<Class<?>> COMMANDS = List.of(NodeCommand.class, Bench.class, ReadModelRebuild.class);

  /** Runs the command line; returns the exit status. */
  public static int run(String... args) {
    String format = System.getenv("LOG_FORMAT");
    if (format != null && !format.isEmpty() && !format.equals("text") && !format.equals("json")) {
      System.err.println("LOG_FORMAT must be text or json, not '" + format + "'"); // logback has no appender for it
      return 2;
    }
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Cli());
    COMMANDS.forEach(cli::addSubcommand);
    String variables = EnvironmentVariables.help();
    cli.getCommandSpec().usageMessage().footer(variables);
    cli.getSubcommands().get("node").getCommandSpec().usageMessage().footer(variables);
    return cli;
  }

  /** No command: a node. */
  @Override
  public Integer call() {
    return new NodeCommand().call();
  }

  @Command(name = "node", description = {
      "Start a node (the default command).",
      "It runs until SIGTERM or Ctrl-C, then stops gracefully: requests in flight answered, shards "
          + "handed over, journal writes finished; an embedded PostgreSQL and nats-server (docs/EMBEDDED.md) "
          + "stop after that. It is configured by environment variables."})
  static final class NodeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      Main.Node node;
      try {
        node = Main.start(ConfigFactory.empty());
      } catch (Exception e) {
        log.error("The node could not start: {}", e.getMessage());
        return 1;
      }
      // The process lives as long as the node; coordinated shutdown ends it.
      node.system().getWhenTerminated().toCompletableFuture().join();
      return exitCode(node.system());
    }
  }

  /**
   * The exit status coordinated shutdown gives the reason the node stopped for (its
   * reason-overrides, e.g. downed or fenced), else its exit-code: the same status whichever of
   * this thread and coordinated shutdown's own System.exit ends the JVM first.
   */
  static int exitCode(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    com.typesafe.config.Config shutdown = system.settings().config().getConfig("pekko.coordinated-shutdown");
    return org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason()
        .map(reason -> "reason-overrides.\"" + reason.getClass().getName() + "\".exit-code")
        .filter(shutdown::hasPath)
        .map(shutdown::getInt)
        .orElse(shutdown.getInt("exit-code"));
  }

  /** orderflow's version (from the jar's manifest) and what it runs on. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Cli.class.getPackage().getImplementationVersion();
      return new String[] {
          "orderflow " + (version == null ? "(not run from the jar)" : version),
          "Apache Pekko " + org.apache.pekko.Version.current(),
          "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
