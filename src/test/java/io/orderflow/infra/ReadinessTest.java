package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  @Test
  void readyOnlyOnceEveryServerOfTheNodeListens() {
    Readiness readiness = new Readiness();
    CompletableFuture<Object> http = new CompletableFuture<>();
    CompletableFuture<Object> grpc = new CompletableFuture<>();
    readiness.binding("HTTP", http);
    assertFalse(readiness.serversListen(), "the node has not started all its servers yet");
    readiness.binding("gRPC", grpc);
    readiness.serversStarted();
    http.complete("bound");
    assertFalse(readiness.serversListen(), "gRPC is still binding");
    grpc.complete("bound");
    assertTrue(readiness.serversListen());
  }

  @Test
  void aServerThatFailedToBindNeverListens() {
    Readiness readiness = new Readiness();
    readiness.binding("HTTP", CompletableFuture.failedFuture(new java.net.BindException("in use")));
    readiness.serversStarted();
    assertFalse(readiness.serversListen());
  }

  @Test
  void aNodeWithoutServersIsReadyOnceStarted() {
    Readiness readiness = new Readiness();
    assertFalse(readiness.serversListen(), "starting");
    readiness.serversStarted();
    assertTrue(readiness.serversListen(), "a worker-only node listens on nothing but management");
  }
}
