package io.orderflow.bench;

import static io.orderflow.infra.EnvironmentVariables.env;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.orderflow.infra.DatabaseLogin;
import io.orderflow.infra.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar orderflow.jar bench}: posts orders of the sample shape to a running node,
 * watches JetStream for each order's final event, and prints one JSON line with throughput and
 * latency next to what the same database does for naive one-commit-per-event inserts.
 */
@Command(name = "bench",
    description = "Load a running orderflow node and print one JSON line of results on stdout.")
public final class Bench implements java.util.concurrent.Callable<Integer> {
  // The last event of each outcome: a rejected order finishes when its payment is refunded.
  private static final List<String> FINAL_SUBJECTS =
      List.of("order.approved", "order.payment.refunded", "order.payment.declined");

  @Option(names = "--url", description = "HTTP address of a running node (default ${DEFAULT-VALUE})")
  String url = "http://127.0.0.1:3000";

  @Option(names = "--orders", description = "orders to post (default ${DEFAULT-VALUE})")
  int orders = 2000;

  @Option(names = "--concurrency", description = "requests in flight, and baseline threads (default ${DEFAULT-VALUE})")
  int concurrency = 64;

  @Option(names = "--rate", description = "open-loop arrivals per second; without it closed-loop at --concurrency")
  Double rate;

  @Option(names = "--nats", description = "NATS URL to watch (default NATS_URL or ${DEFAULT-VALUE})")
  String nats = env("NATS_URL", "nats://127.0.0.1:4222");

  @Option(names = "--db-url", description = "JDBC URL for the baseline (default DB_URL or ${DEFAULT-VALUE})")
  String dbUrl = env("DB_URL", "jdbc:postgresql://127.0.0.1:5432/orderflow");

  @Mixin DatabaseLogin login;

  @Option(names = "--baseline-seconds", description = "duration of the baseline (default ${DEFAULT-VALUE}, as pgbench -T 15)")
  int baselineSeconds = 15;

  @Option(names = "--node-pid", description = "the node's process (default: the one listening on --url's port)")
  Long nodePid;

  @Option(names = "--db-pid", description = "PostgreSQL's postmaster (default: the one listening on the database's port); its backends count too")
  Long dbPid;

  @Option(names = "--nats-pid", description = "nats-server's process (default: the one listening on the NATS port)")
  Long natsPid;

  @Option(names = "--warmup-seconds", description = "post orders for this long first, on the same connections, and count "
      + "none of them (default ${DEFAULT-VALUE}, as the baseline's): this client is JIT-compiled on the way, wrk is C")
  int warmupSeconds = 2;

  @Option(names = "--drain-seconds", description = "how long to wait for final events after the last accept (default ${DEFAULT-VALUE})")
  int drainSeconds = 120;

  @Override
  public Integer call() throws Exception {
    progress("baseline: %d connections of one-row INSERT transactions for %ds on %s (as pgbench)", concurrency,
        baselineSeconds, dbUrl);
    double baseline = Baseline.commitsPerSecond(dbUrl, login, concurrency, Duration.ofSeconds(baselineSeconds));
    progress("baseline: %.0f commits/s", baseline);
    URI base = URI.create(url);
    ProcessCpu node = nodePid != null ? ProcessCpu.of(nodePid, false) : ProcessCpu.listeningOn(base.getPort(), false);
    ProcessCpu db = dbPid != null ? ProcessCpu.of(dbPid, true) : ProcessCpu.listeningOn(jdbcPort(dbUrl), true);
    ProcessCpu broker = natsPid != null ? ProcessCpu.of(natsPid, false) : ProcessCpu.listeningOn(URI.create(
        nats.split(",")[0]).getPort(), false);
    progress("CPU measured for node pid %s, PostgreSQL pid %s (with its backends), nats-server pid %s",
        node == null ? "?" : node.pid(), db == null ? "?" : db.pid(), broker == null ? "?" : broker.pid());

    Phase warmUp = new Phase(rate == null ? Integer.MAX_VALUE : (int) Math.ceil(warmupSeconds * rate),
        TimeUnit.SECONDS.toNanos(warmupSeconds));
    Phase measured = new Phase(orders, Long.MAX_VALUE);
    try (Connection nc = Nats.connect(nats)) {
      Dispatcher d = nc.createDispatcher(m -> {
        String id = m.hasHeaders() ? m.getHeaders().getFirst("Aggregate-Id") : null;
        if (id != null && !measured.finished(id)) warmUp.finished(id);
      });
      FINAL_SUBJECTS.forEach(d::subscribe);
      nc.flush(Duration.ofSeconds(5));

      byte[] sample = sampleOrder();
      CountDownLatch warmedUp = new CountDownLatch(concurrency);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        Thread thread = new Thread(() -> {
          try (PlainHttpClient client = new PlainHttpClient(base)) {
            warmUp.post(client, sample);
            warmedUp.countDown();
            go.await();
            measured.post(client, sample);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "bench-client-" + t);
        threads.add(thread);
      }
      if (warmupSeconds > 0) progress("warm-up: %ds of orders on the same connections, not counted", warmupSeconds);
      warmUp.begin();
      threads.forEach(Thread::start);
      warmedUp.await();
      if (warmupSeconds > 0) progress("warm-up: %d orders accepted, %d final; waiting for the rest",
          warmUp.acceptNanos.size(), warmUp.finalAt.size());
      warmUp.awaitFinal(TimeUnit.SECONDS.toNanos(drainSeconds)); // the measured run starts from a drained pipeline

      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      ticker.scheduleAtFixedRate(() -> progress("posted %d, accepted %d, final %d, errors %d",
          measured.posted(), measured.acceptNanos.size(), measured.finalAt.size(), measured.errors.get()),
          1, 1, TimeUnit.SECONDS);
      Map<Long, Long> jitBefore = node == null ? null : node.compilerThreads();
      double[] cpuBefore = {cpu(node), cpu(db), cpu(broker)};
      measured.begin();
      go.countDown();
      for (Thread t : threads) t.join();
      measured.awaitFinal(TimeUnit.SECONDS.toNanos(drainSeconds));
      double[] cpuAfter = {cpu(node), cpu(db), cpu(broker)};
      double jitSeconds = ProcessCpu.compilerSeconds(jitBefore, node == null ? null : node.compilerThreads());
      ticker.shutdownNow();

      long[] accept = measured.acceptLatencies();
      long[] e2e = measured.endToEndLatencies();
      int accepted = accept.length;
      int completed = e2e.length;
      int errors = measured.errors.get() + accepted - completed; // accepted but not finished in time
      double acceptSeconds = Math.max(1e-9, (measured.lastAccept.get() - measured.start) / 1e9);
      double completeSeconds = Math.max(1e-9, (measured.lastFinal.get() - measured.start) / 1e9);

      Map<String, Object> out = new LinkedHashMap<>();
      out.put("orders", orders);
      out.put("concurrency", concurrency);
      out.put("rate", rate);
      out.put("accepted_per_s", round(accepted / acceptSeconds));
      out.put("completed_per_s", round(completed / completeSeconds));
      out.put("accept_p50_ms", ms(percentile(accept, 50)));
      out.put("accept_p99_ms", ms(percentile(accept, 99)));
      out.put("e2e_p50_ms", ms(percentile(e2e, 50)));
      out.put("e2e_p99_ms", ms(percentile(e2e, 99)));
      out.put("baseline_commits_per_s", round(baseline));
      out.put("accept_ratio", round3(accepted / acceptSeconds / baseline));
      out.put("complete_ratio", round3(completed / completeSeconds / baseline));
      // CPU from the first measured post until the last order finished, per finished order.
      out.put("node_cpu_ms_per_order", perOrder(cpuBefore[0], cpuAfter[0], completed));
      // Of that, the node's JIT compiler threads: large for a young node, near 0 once it has settled.
      out.put("node_jit_cpu_ms_per_order", perOrder(0, jitSeconds, completed));
      out.put("db_cpu_ms_per_order", perOrder(cpuBefore[1], cpuAfter[1], completed));
      out.put("nats_cpu_ms_per_order", perOrder(cpuBefore[2], cpuAfter[2], completed));
      out.put("errors", errors);
      // Shown, not hidden: what the uncounted warm-up saw.
      out.put("warmup_orders", warmUp.acceptNanos.size());
      out.put("warmup_e2e_p99_ms", ms(percentile(warmUp.endToEndLatencies(), 99)));
      out.put("warmup_errors", warmUp.errors.get());
      // The one line on stdout: the result.
      System.out.println(Json.MAPPER.copy().setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
          .writeValueAsString(out));
      return errors == 0 ? 0 : 1;
    }
  }

  /**
   * One stretch of posting: up to {@code count} orders, none posted after {@code length} from its
   * begin. The connections' threads share it. Closed loop: each posts its next order as soon as
   * the last is answered. Open loop: orders are due at fixed times (rate R); a thread takes the
   * next due one, and its clock starts when it was due, so queueing counts.
   */
  private final class Phase {
    final int count;
    final long length;
    final AtomicInteger next = new AtomicInteger();
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    final Map<String, Long> finalAt = new ConcurrentHashMap<>();
    final List<Long> acceptNanos = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger errors = new AtomicInteger();
    final AtomicLong lastAccept = new AtomicLong();
    final AtomicLong lastFinal = new AtomicLong();
    volatile long start;

    Phase(int count, long length) {
      this.count = count;
      this.length = length;
    }

    void begin() {
      start = System.nanoTime();
      lastAccept.set(start);
      lastFinal.set(start);
    }

    int posted() {
      return Math.min(next.get(), count);
    }

    void post(PlainHttpClient client, byte[] sample) throws InterruptedException {
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
        long due = rate == null ? System.nanoTime() : start + (long) (i * 1e9 / rate);
        if (due - start >= length) return;
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        String id = "bench-" + UUID.randomUUID();
        sentAt.put(id, due);
        int status;
        try {
          status = client.post("/api/orders", withId(sample, id));
        } catch (Exception e) {
          status = -1;
        }
        long now = System.nanoTime();
        if (status == 201) {
          acceptNanos.add(now - due);
          lastAccept.accumulateAndGet(now, Math::max);
        } else {
          errors.incrementAndGet();
          sentAt.remove(id);
        }
      }
    }

    /** Records the final event of one of this phase's orders; false when the order is not one. */
    boolean finished(String id) {
      if (!sentAt.containsKey(id)) return false;
      if (finalAt.putIfAbsent(id, System.nanoTime()) == null) lastFinal.set(System.nanoTime());
      return true;
    }

    void awaitFinal(long timeoutNanos) throws InterruptedException {
      long until = System.nanoTime() + timeoutNanos;
      while (finalAt.size() < acceptNanos.size() && System.nanoTime() < until) Thread.sleep(50);
    }

    long[] acceptLatencies() {
      synchronized (acceptNanos) {
        return acceptNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      }
    }

    /** Of the accepted orders: one answered otherwise left sentAt, even if its final event came. */
    long[] endToEndLatencies() {
      return finalAt.entrySet().stream().filter(e -> sentAt.containsKey(e.getKey()))
          .mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).sorted().toArray();
    }
  }

  private static double cpu(ProcessCpu p) {
    return p == null ? Double.NaN : p.seconds();
  }

  private static Double perOrder(double before, double after, int orders) {
    if (Double.isNaN(before) || Double.isNaN(after) || orders == 0) return null;
    return Math.round((after - before) * 1000 / orders * 1000) / 1000.0;
  }

  /** The port of a jdbc:postgresql://host:port/db URL (5432 when it has none). */
  static int jdbcPort(String jdbcUrl) {
    URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
    return u.getPort() < 0 ? 5432 : u.getPort();
  }

  /** The sample order of the README (order.json), as a body with room for an order_id. */
  static byte[] sampleOrder() {
    return ("{\"customer_id\":\"c-100\",\"restaurant_id\":\"r-7\",\"amount\":42.5,\"order_items\":["
        + "{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":8.5,\"quantity\":4},"
        + "{\"code\":\"B2\",\"name\":\"Spring rolls\",\"unit_price\":4.25,\"quantity\":2}]}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static byte[] withId(byte[] sample, String id) {
    byte[] prefix = ("{\"order_id\":\"" + id + "\",").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(prefix, prefix.length + sample.length - 1);
    System.arraycopy(sample, 1, body, prefix.length, sample.length - 1);
    return body;
  }

  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) return 0;
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static void progress(String format, Object... args) {
    System.err.println("bench: " + String.format(format, args));
  }
}
