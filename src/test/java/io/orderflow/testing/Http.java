package io.orderflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.infra.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client over a real socket. */
public final class Http {
  private static final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  public record Reply(int status, String body) {
    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }
  }

  private Http() {}

  public static Reply post(String url, String body) throws Exception {
    return post(url, body, "application/json");
  }

  public static Reply post(String url, String body, String contentType) throws Exception {
    return post(url, body, contentType, new String[0]);
  }

  /** A POST with extra headers, given as name, value, name, value, ... */
  public static Reply post(String url, String body, String contentType, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    HttpRequest req = b.POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  public static Reply get(String url) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }
}
