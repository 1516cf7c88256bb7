package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The one list of environment variables is complete, and what --help and docs/OPERATIONS.md show. */
class EnvironmentVariablesTest {
  static final Path MAIN = Path.of("src/main");

  @Test
  void listsEveryVariableTheConfigurationAndTheCodeRead() throws IOException {
    Set<String> read = new TreeSet<>();
    read.addAll(matches(Pattern.compile("\\$\\{\\?([A-Z][A-Z0-9_]*)}"), "conf"));
    read.addAll(matches(Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-"), "xml"));
    read.addAll(matches(Pattern.compile("(?:getenv|env)\\(\"([A-Z][A-Z0-9_]*)\""), "java"));
    read.remove("PATH"); // where nats-server and util-linux are looked up, not configuration
    Set<String> listed = EnvironmentVariables.ALL.stream().map(EnvironmentVariables.Variable::name)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(read, listed);
    assertEquals(listed.size(), EnvironmentVariables.ALL.size(), "each listed once");
  }

  @Test
  void eachVariableSetsTheKeyItNamesAndThatKeyHasADefault() {
    var defaults = ConfigFactory.parseResourcesAnySyntax("application").withFallback(ConfigFactory.defaultReference())
        .resolve(com.typesafe.config.ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    String conf = String.join("\n", confFiles());
    for (EnvironmentVariables.Variable v : EnvironmentVariables.ALL) {
      if (v.configPath() == null) continue;
      assertTrue(defaults.hasPathOrNull(v.configPath()), v.name() + ": no key " + v.configPath());
      assertTrue(conf.contains("${?" + v.name() + "}"), v.name() + " is read by no .conf file");
    }
    assertEquals("3000", EnvironmentVariables.defaultOf(find("HTTP_PORT"), defaults));
    assertEquals("54329", EnvironmentVariables.defaultOf(find("EMBEDDED_PG_PORT"), defaults));
    assertEquals("on", EnvironmentVariables.defaultOf(find("EMBEDDED_PG_FSYNC"), defaults));
  }

  @Test
  void helpShowsEachVariableWithItsDefaultWithinEightyColumns() {
    String help = String.format(EnvironmentVariables.help());
    for (EnvironmentVariables.Variable v : EnvironmentVariables.ALL) {
      assertTrue(help.contains("\n  " + v.name() + " "), v.name());
    }
    assertTrue(help.contains("[54329]"), help);
    help.lines().forEach(line -> assertTrue(line.length() <= 80, "too wide: " + line));
  }

  @Test
  void operationsGuideShowsTheTableRenderedFromTheList() throws IOException {
    String doc = Files.readString(Path.of("docs/OPERATIONS.md"));
    String begin = "<!-- environment: begin -->\n";
    String end = "<!-- environment: end -->";
    assertTrue(doc.contains(begin) && doc.contains(end), "markers in docs/OPERATIONS.md");
    String table = doc.substring(doc.indexOf(begin) + begin.length(), doc.indexOf(end));
    assertEquals(EnvironmentVariables.markdownTable(), table,
        "docs/OPERATIONS.md: paste EnvironmentVariables.markdownTable() between the markers");
  }

  static EnvironmentVariables.Variable find(String name) {
    return EnvironmentVariables.ALL.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  static Set<String> matches(Pattern pattern, String extension) throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith("." + extension)).toList()) {
        Matcher m = pattern.matcher(Files.readString(f));
        while (m.find()) names.add(m.group(1));
      }
    }
    return names;
  }

  static java.util.List<String> confFiles() {
    try (Stream<Path> files = Files.walk(MAIN.resolve("resources"))) {
      return files.filter(p -> p.toString().endsWith(".conf")).map(p -> {
        try {
          return Files.readString(p);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
