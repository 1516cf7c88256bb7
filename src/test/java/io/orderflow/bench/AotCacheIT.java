package io.orderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Children;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/aot-cache.sh, the JDK 25 launch docs/PERFORMANCE.md recommends, end to end so that it
 * cannot rot: it trains a cache on throw-away embedded servers, and a node started with that cache
 * in {@code -XX:AOTMode=on} (which refuses to start with a cache it cannot use) takes an order.
 * Runs where a JDK 25 is (JAVA25, or Temurin's Debian path); what the cache saves is measured by the
 * benchmark, not here.
 */
class AotCacheIT {
  static final Path JAVA25 = Path.of(System.getenv().getOrDefault("JAVA25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

  @TempDir
  Path dir;

  @Test
  void trainsACacheThatANodeStartsWith() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JAVA25), "no JDK 25 at " + JAVA25 + " (set JAVA25)");
    Path cache = dir.resolve("orderflow.aot");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path out = dir.resolve("aot-cache.out");
    ProcessBuilder pb = new ProcessBuilder("scripts/aot-cache.sh")
        .redirectErrorStream(true).redirectOutput(out.toFile());
    // Its temporary directory (the training's data) goes under the test's, to be checked below.
    pb.environment().putAll(Map.of("JAVA25", JAVA25.toString(), "AOT_CACHE", cache.toString(),
        "AOT_TRAINING_ORDERS", "200", "TMPDIR", tmp.toString()));
    Process script = Children.track(pb.start());
    try {
      assertTrue(script.waitFor(4, TimeUnit.MINUTES), "the script ended within 4 minutes");
    } finally {
      script.descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly();
    }
    String printed = Files.readString(out, StandardCharsets.UTF_8) + trainingLog();
    assertEquals(0, script.exitValue(), printed);
    assertTrue(Files.size(cache) > 0, printed);
    assertTrue(printed.contains("wrote " + cache), printed);
    // The training node and its embedded servers are gone, and so is their directory.
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList(), "what the script left in its temporary directory");
    }
    assertEquals(List.of(), ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(tmp.toString())).map(ProcessHandle::pid).toList(),
        "processes of the training still running");

    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats();
        JarNode node = new JarNode("aot-cache", db, nats.url(), Map.of())
            .withJava(JAVA25.toString(), "-Xmx512m", "-XX:AOTCache=" + cache, "-XX:AOTMode=on")) {
      node.start().awaitUp(Duration.ofSeconds(90));
      var created = Http.post(node.url("/api/orders"), Files.readString(Path.of("order.json")));
      assertEquals(201, created.status(), created.body());
      Fixtures.awaitStatus(node.url(""), created.json().get("order_id").asText(), "Approved", Duration.ofSeconds(30));
      assertFalse(node.log().contains("[error][aot]"), node.log());
    }
  }

  /** The training node's log, which the script names after the cache. */
  private String trainingLog() throws Exception {
    Path log = dir.resolve("orderflow-training.log");
    return Files.exists(log) ? "\n--- " + log + ":\n" + Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
