package io.orderflow.metrics;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** {@code GET /metrics} on the management port: Prometheus' text exposition format (0.0.4). */
public final class MetricsRoute extends AllDirectives implements ManagementRouteProvider {
  private static final ContentType TEXT_FORMAT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");
  private final Metrics metrics;

  public MetricsRoute(ExtendedActorSystem system) {
    this.metrics = Metrics.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("metrics", () -> get(() -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(TEXT_FORMAT, metrics.scrape().getBytes(StandardCharsets.UTF_8))))));
  }
}
