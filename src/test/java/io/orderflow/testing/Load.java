package io.orderflow.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that post orders to nodes until stopped, one after another each: approvable, rejectable
 * and declinable in turn. A 201 is an accepted order; anything else (503 while a node is away, no
 * answer from a frozen one, connection refused from a dead one) is recorded and the client goes on.
 */
public final class Load implements AutoCloseable {
  /** One POST: which node, when (System.nanoTime) it was sent and answered, and the status (-1: no answer). */
  public record Attempt(String orderId, int node, long sentNanos, long answeredNanos, int status) {}

  private final String prefix;
  private final List<String> baseUrls;
  private final ExecutorService clients;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger seq = new AtomicInteger();
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

  /** {@code clientsPerNode} clients for each of {@code baseUrls} (http://host:port). */
  public Load(String prefix, List<String> baseUrls, int clientsPerNode) {
    this.prefix = prefix;
    this.baseUrls = List.copyOf(baseUrls);
    this.clients = Executors.newFixedThreadPool(baseUrls.size() * clientsPerNode);
    for (int n = 0; n < baseUrls.size(); n++) {
      for (int c = 0; c < clientsPerNode; c++) {
        int node = n;
        clients.submit(() -> run(node));
      }
    }
  }

  public static String statusFor(int i) {
    return i % 3 == 0 ? "Declined" : i % 3 == 1 ? "Rejected" : "Approved";
  }

  public static String bodyFor(String id, int i) {
    return i % 3 == 0 ? Fixtures.declinable(id) : i % 3 == 1 ? Fixtures.rejectable(id) : Fixtures.approvable(id);
  }

  private Void run(int node) {
    while (!stop.get()) {
      int i = seq.getAndIncrement();
      String id = prefix + "-" + i + "-" + UUID.randomUUID();
      attempted.add(id + "=" + statusFor(i));
      long sent = System.nanoTime();
      int status = -1;
      try {
        status = Http.post(baseUrls.get(node) + "/api/orders", bodyFor(id, i)).status();
        if (status == 201) accepted.put(id, statusFor(i));
      } catch (Exception e) {
        // no answer: the node is frozen, dead or restarting
      }
      attempts.add(new Attempt(id, node, sent, System.nanoTime(), status));
      if (status != 201) pause();
    }
    return null;
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Orders answered 201, with the final status each must reach. */
  public Map<String, String> accepted() {
    return Map.copyOf(accepted);
  }

  /** Every order tried, as "id=expected status" (see {@link Fixtures#journaled}). */
  public Set<String> attempted() {
    return Set.copyOf(attempted);
  }

  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Accepted orders answered after {@code nanos} (System.nanoTime). */
  public long acceptedAfter(long nanos) {
    return attempts.stream().filter(a -> a.status() == 201 && a.answeredNanos() > nanos).count();
  }

  /** Stops the clients; each finishes the request it is in (at most the HTTP client's timeout). */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    clients.shutdown();
    if (!clients.awaitTermination(30, TimeUnit.SECONDS)) clients.shutdownNow();
  }
}
