package io.orderflow.metrics;

import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Times every HTTP request by route template, method and status
 * ({@code http_server_requests_seconds}); an order answered 201 is counted as accepted by entry
 * {@code http}. Routes are templates ({@code /api/orders/{id}}), never raw paths: bounded labels.
 */
public final class HttpMetrics {
  private static final String NAME = "http.server.requests";
  private static final String DESCRIPTION = "HTTP requests answered, by route, method and status";

  private HttpMetrics() {}

  public static Route timed(Route inner, Metrics metrics) {
    return Directives.extractRequest(request -> {
      long start = System.nanoTime();
      return Directives.mapResponse(response -> {
        String route = template(request);
        String method = request.method().value();
        int status = response.status().intValue();
        metrics.request(NAME, DESCRIPTION, System.nanoTime() - start,
            "route", route, "method", method, "status", Integer.toString(status));
        if (status == 201 && route.equals("/api/orders")) metrics.accepted("http");
        return response;
      }, () -> inner);
    });
  }

  /** The route a path belongs to; anything else is "other". */
  static String template(HttpRequest request) {
    String[] s = request.getUri().path().split("/", -1);
    if (s.length >= 3 && s[1].equals("api") && s[2].equals("orders")) {
      if (s.length == 3 || (s.length == 4 && s[3].isEmpty())) return "/api/orders";
      if (s.length == 4) return "/api/orders/{id}";
      if (s.length == 5 && s[4].equals("events")) return "/api/orders/{id}/events";
    }
    if (s.length == 3 && s[1].equals("api") && s[2].equals("stats")) return "/api/stats";
    if (s.length == 2 && s[1].equals("dashboard")) return "/dashboard";
    return "other";
  }
}
