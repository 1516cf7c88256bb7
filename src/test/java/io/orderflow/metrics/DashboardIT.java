package io.orderflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard as a person sees it: rendered by a real headless Chromium (Debian's {@code chromium};
 * .ci/run installs it), its DOM read after the page's own script has fetched /api/stats, the figures
 * compared with what was posted; a screenshot is saved as target/dashboard.png.
 */
class DashboardIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  @RegisterExtension
  static final TestStack stack = new TestStack(Map.of("orderflow.metrics.refresh-interval", "500ms"));

  @Test
  void theDashboardShowsTheOrdersThatWerePosted() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), "Chromium is needed for this test: apt-get install chromium");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) ids.add(post(Fixtures.approvable(null)));
    for (int i = 0; i < 2; i++) ids.add(post(Fixtures.declinable(null)));
    ids.add(post(Fixtures.rejectable(null)));
    for (String id : ids) Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));

    String dom = chromium("--dump-dom", stack.node().url("/dashboard"));
    assertEquals("6", byId(dom, "total-order.created"), "created");
    assertEquals("4", byId(dom, "total-order.payment.debited"), "paid");
    assertEquals("3", byId(dom, "total-order.approved"), "approved");
    assertEquals("2", byId(dom, "total-order.payment.declined"), "declined");
    assertEquals("1", byId(dom, "total-order.rejected"), "rejected");
    assertEquals("1", byId(dom, "total-order.payment.refunded"), "refunded");
    assertTrue(Integer.parseInt(byId(dom, "e2e-count")) >= 6, "latency measured for the orders: " + byId(dom,
        "e2e-count"));
    assertTrue(byId(dom, "status").startsWith("live"), "the page reached the node: " + byId(dom, "status"));
    for (String consumer : List.of("paymentsvc", "reviewsvc", "paymentsvc-refunds", "stream-processor")) {
      assertTrue(dom.contains("data-consumer=\"" + consumer + "\""), "consumer row " + consumer);
    }
    Matcher member = Pattern.compile("<tr data-address=\"([^\"]+)\"><td>[^<]*</td><td>Up</td>").matcher(dom);
    assertTrue(member.find(), "this node listed as an Up member");
    assertEquals("1", byId(dom, "member-count"));

    Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    chromium("--screenshot=" + shot, "--window-size=1280,1000", stack.node().url("/dashboard"));
    assertTrue(Files.size(shot) > 10_000, "a screenshot was taken: " + shot);
  }

  static String post(String body) throws Exception {
    Http.Reply r = Http.post(stack.node().url("/api/orders"), body);
    assertEquals(201, r.status(), r.body());
    return r.json().get("order_id").asText();
  }

  /** The text of the element with {@code id} in the rendered DOM. */
  static String byId(String dom, String id) {
    Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
    assertTrue(m.find(), "element #" + id + " in the rendered page");
    return m.group(1).trim();
  }

  /** Runs headless Chromium on its own profile, with the page's timers given 5 s; its stdout. */
  static String chromium(String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("orderflow-chromium");
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Files.deleteIfExists(out);
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
