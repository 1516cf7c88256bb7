package io.orderflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: every command answers --help and --version with status 0. */
class CliTest {
  record Run(int status, String out) {}

  static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return new Run(Cli.run(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  static List<String> commands() {
    return new ArrayList<>(Cli.commandLine().getSubcommands().keySet());
  }

  @Test
  void topLevelHelpListsTheCommandsAndTheEnvironmentVariables() {
    Run help = run("--help");
    assertEquals(0, help.status());
    assertTrue(commands().containsAll(List.of("node", "bench")), commands().toString());
    for (String command : commands()) assertTrue(help.out().contains("\n  " + command + " "), command + ":\n" + help.out());
    assertTrue(help.out().contains("DB_URL"), help.out());
    assertTrue(help.out().contains("EMBEDDED_PG_FSYNC"), help.out());
    assertTrue(help.out().contains("BIND_HOST"), help.out());
    assertEquals(help, run("-h"));
  }

  @Test
  void everyCommandAnswersHelpAndVersionWithStatusZero() {
    for (String command : commands()) {
      Run help = run(command, "--help");
      assertEquals(0, help.status(), command + " --help");
      assertTrue(help.out().startsWith("Usage: orderflow " + command), help.out());
      Run version = run(command, "--version");
      assertEquals(0, version.status(), command + " --version");
      assertTrue(version.out().startsWith("orderflow "), version.out());
    }
    assertTrue(run("node", "--help").out().contains("DATA_DIR"), "node --help lists the variables");
  }

  @Test
  void versionNamesOrderflowPekkoAndJava() {
    Run version = run("--version");
    assertEquals(0, version.status());
    assertTrue(version.out().contains("Apache Pekko 1."), version.out());
    assertTrue(version.out().contains("Java " + Runtime.version().feature()), version.out());
  }

  @Test
  void anUnknownCommandOrOptionIsAnErrorWithStatusTwo() {
    assertEquals(2, Cli.run("no-such-command"));
    assertEquals(2, Cli.run("--no-such-option"));
  }
}
