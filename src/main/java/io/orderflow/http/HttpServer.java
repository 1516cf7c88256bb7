package io.orderflow.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import io.orderflow.metrics.HttpMetrics;
import io.orderflow.metrics.Metrics;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.function.Function;
import io.orderflow.infra.Readiness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds HTTP (and gRPC) servers; at shutdown they unbind first and answer what is in flight. */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  /** In-flight requests get this long to be answered at shutdown. */
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private HttpServer() {}

  /**
   * An HTTP/1.1 binding. Each connection must deliver a complete request within
   * {@code requestArrival} of opening or of its previous request, else it is closed: a client
   * trickling its headers, or a crowd of idle connections, cannot hold connection slots for long.
   */
  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String what, String iface, int port,
      Route route, Duration requestArrival) {
    Flow<HttpRequest, HttpResponse, NotUsed> perConnection = Flow.of(HttpRequest.class)
        .idleTimeout(requestArrival)
        // A quiet close, not a failure: a failed connection flow would answer 500 and log an error.
        .recoverWithRetries(1, java.util.concurrent.TimeoutException.class, Source::empty)
        .via(HttpMetrics.timed(route, Metrics.get(system)).flow(system));
    return register(system, what, Http.get(system).newServerAt(iface, port).bindFlow(perConnection));
  }

  /** An HTTP/2 (h2c, prior knowledge) binding, as gRPC needs. */
  public static CompletionStage<ServerBinding> bindHttp2(ActorSystem<?> system, String what, String iface,
      int port, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return register(system, what, Http.get(system).newServerAt(iface, port)
        .adaptSettings(s -> s.withPreviewServerSettings(s.getPreviewServerSettings().withEnableHttp2(true)))
        .bind(handler));
  }

  private static CompletionStage<ServerBinding> register(ActorSystem<?> system, String what,
      CompletionStage<ServerBinding> binding) {
    Readiness.get(system).binding(what, binding);
    return binding.whenComplete((b, err) -> {
      if (err != null) {
        log.error("{} server failed to bind: {}", what, err.getMessage());
        system.terminate();
      } else {
        b.addToCoordinatedShutdown(DRAIN, system);
        log.info("{} server listening on {}", what, b.localAddress());
      }
    });
  }
}
