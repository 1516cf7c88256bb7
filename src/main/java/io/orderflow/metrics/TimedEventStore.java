package io.orderflow.metrics;

import io.grpc.StatusRuntimeException;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventResponse;
import io.orderflow.eventstore.grpc.EventStore;
import io.orderflow.eventstore.grpc.Response;
import io.orderflow.order.Order;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The EventStore with its calls timed by method and outcome ({@code grpc_server_requests_seconds}):
 * OK, REFUSED (is_success=false) or the gRPC status code; orders created through it are counted
 * as accepted by entry {@code grpc}.
 */
public final class TimedEventStore implements EventStore {
  private static final String NAME = "grpc.server.requests";
  private static final String DESCRIPTION = "EventStore calls answered, by method and outcome";

  private final EventStore service;
  private final Metrics metrics;

  public TimedEventStore(EventStore service, Metrics metrics) {
    this.service = service;
    this.metrics = metrics;
  }

  @Override
  public CompletionStage<Response> createEvent(Event in) {
    long start = System.nanoTime();
    return service.createEvent(in).whenComplete((r, e) -> {
      String status = e != null ? code(e) : r.getIsSuccess() ? "OK" : "REFUSED";
      record("CreateEvent", status, start);
      if ("OK".equals(status) && JournalEvent.ORDER.equals(in.getAggregateType())
          && Order.OrderCreated.TYPE.equals(in.getEventType())) {
        metrics.accepted("grpc");
      }
    });
  }

  @Override
  public CompletionStage<EventResponse> getEvents(EventFilter in) {
    long start = System.nanoTime();
    return service.getEvents(in).whenComplete((r, e) -> record("GetEvents", e == null ? "OK" : code(e), start));
  }

  @Override
  public Source<Event, NotUsed> subscribeEvents(EventFilter in) {
    long start = System.nanoTime();
    return service.subscribeEvents(in).watchTermination((mat, done) -> {
      done.whenComplete((d, e) -> record("SubscribeEvents", e == null ? "OK" : code(e), start));
      return mat;
    });
  }

  private void record(String method, String status, long start) {
    metrics.request(NAME, DESCRIPTION, System.nanoTime() - start, "method", method, "status", status);
  }

  private static String code(Throwable e) {
    Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof GrpcServiceException g) return g.getStatus().getCode().name();
    if (t instanceof StatusRuntimeException s) return s.getStatus().getCode().name();
    return "UNKNOWN";
  }
}
