package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crowds of connections do not lock other clients out: 1,200 idle TCP connections and 300 clients
 * sending their request headers a byte a second, on the HTTP port and on the gRPC port.
 */
class CrowdIT {
  static final int IDLE = 1200;
  static final int SLOW = 300;
  // A short arrival timeout, so that the test sees the crowd disconnected in seconds (default 60 s).
  @RegisterExtension
  static final TestStack stack = new TestStack(java.util.Map.of("orderflow.http.request-arrival-timeout", "5s"));

  /** The crowd: idle connections, and slow ones fed one header byte a second. */
  static final class Crowd implements AutoCloseable {
    final List<SocketChannel> idle = new ArrayList<>();
    final List<SocketChannel> slow = new ArrayList<>();
    final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    final byte[] header = "POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Pad: "
        .concat("y".repeat(500)).getBytes(StandardCharsets.US_ASCII);
    int sent;

    Crowd(int port) throws IOException {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      for (int i = 0; i < IDLE; i++) idle.add(SocketChannel.open(address));
      for (int i = 0; i < SLOW; i++) slow.add(SocketChannel.open(address));
      trickle.scheduleAtFixedRate(this::oneByteEach, 0, 1, TimeUnit.SECONDS);
    }

    private void oneByteEach() {
      int at = sent++ % header.length;
      for (SocketChannel c : slow) {
        try {
          c.write(ByteBuffer.wrap(header, at, 1));
        } catch (IOException closedByServer) {
          // counted by the test below
        }
      }
    }

    /** How many of {@code channels} the server has closed (a read sees end of stream or a reset). */
    static long closed(List<SocketChannel> channels) {
      long n = 0;
      for (SocketChannel c : channels) {
        try {
          c.configureBlocking(false);
          if (c.read(ByteBuffer.allocate(1024)) < 0) n++;
        } catch (IOException reset) {
          n++;
        }
      }
      return n;
    }

    @Override
    public void close() {
      trickle.shutdownNow();
      for (SocketChannel c : idle) closeQuietly(c);
      for (SocketChannel c : slow) closeQuietly(c);
    }

    private static void closeQuietly(SocketChannel c) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  @Test
  void aNewOrderIsAcceptedPromptlyWhileACrowdHoldsConnectionsAndTheCrowdIsDisconnected() throws Exception {
    try (Crowd crowd = new Crowd(stack.node().httpPort)) {
      Thread.sleep(2000); // the crowd is in place and trickling
      long start = System.nanoTime();
      Http.Reply r = Http.post(stack.node().url("/api/orders"), Fixtures.approvable(null));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(201, r.status(), r.body());
      assertTrue(millis < 2000, "the POST took " + millis + " ms with " + (IDLE + SLOW) + " connections open");
      // Neither the idle nor the slow connections keep their slot: the request-arrival timeout
      // closes them, however steadily a slow one trickles.
      Eventually.await(Duration.ofSeconds(30), "the server to close the crowd's connections", () ->
          Crowd.closed(crowd.slow) == SLOW && Crowd.closed(crowd.idle) == IDLE);
    }
  }

  @Test
  void aGrpcCallIsAnsweredPromptlyWhileACrowdHoldsConnections() throws Exception {
    EventStoreClient client = EventStoreClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", stack.node().grpcPort,
            stack.node().node.system()).withTls(false),
        stack.node().node.system());
    try (Crowd crowd = new Crowd(stack.node().grpcPort)) {
      Thread.sleep(2000);
      long start = System.nanoTime();
      var reply = client.getEvents(EventFilter.newBuilder().setAggregateId("nobody").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(0, reply.getEventsCount());
      assertTrue(millis < 2000, "the call took " + millis + " ms with " + (IDLE + SLOW) + " connections open");
    } finally {
      client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
