package io.orderflow.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orders posted at a steady rate with client-chosen ids, each answer recorded with when it was
 * sent and answered, as a client under a fault would see them. Approvable, declinable and
 * rejectable orders in turn.
 */
public final class OrderLoad implements AutoCloseable {
  /** One POST: status -1 when no answer came (connection error, client timeout). */
  public record Attempt(String orderId, String body, String expected, long sentNanos, long answeredNanos,
      int status, String response) {}

  private static final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final String url;
  private final String prefix;
  private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
  private final AtomicInteger n = new AtomicInteger();

  /** Starts posting {@code perSecond} orders a second to {@code baseUrl}/api/orders. */
  public OrderLoad(String baseUrl, String prefix, int perSecond) {
    this.url = baseUrl + "/api/orders";
    this.prefix = prefix;
    ticks.scheduleAtFixedRate(this::postOne, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
  }

  private void postOne() {
    int i = n.getAndIncrement();
    String id = prefix + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
    String expected = i % 3 == 0 ? "Approved" : i % 3 == 1 ? "Declined" : "Rejected";
    String body = switch (expected) {
      case "Approved" -> Fixtures.approvable(id);
      case "Declined" -> Fixtures.declinable(id);
      default -> Fixtures.rejectable(id);
    };
    long sent = System.nanoTime();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    CompletableFuture<?> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      attempts.add(new Attempt(id, body, expected, sent, System.nanoTime(), r == null ? -1 : r.statusCode(),
          r == null ? String.valueOf(e) : r.body()));
      return null;
    });
    inFlight.add(f);
    inFlight.removeIf(CompletableFuture::isDone);
  }

  /** Every answered attempt so far. */
  public List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  /** Stops posting and waits for the answers of those in flight. */
  @Override
  public void close() throws InterruptedException {
    ticks.shutdownNow();
    ticks.awaitTermination(5, TimeUnit.SECONDS);
    try {
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("posts still unanswered after 60 s", e);
    }
  }
}
