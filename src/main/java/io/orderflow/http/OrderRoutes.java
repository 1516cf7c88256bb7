package io.orderflow.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.infra.Database;
import io.orderflow.infra.Json;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.OrderStatus;
import io.orderflow.order.Text;
import io.orderflow.order.Orders;
import io.orderflow.view.OrderViewRepository;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order API. Writes go to the Order entity; reads of orders come from the
 * read model (eventually consistent), reads of events from the journal (read-your-writes).
 * Every error is a JSON {@code {"error": "..."}}.
 */
public final class OrderRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(OrderRoutes.class);
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;

  private final ActorSystem<?> system;
  private final Orders orders;
  private final OrderViewRepository view;
  private final JdbcReadJournal journal;
  private final long maxBodyBytes;

  public OrderRoutes(ActorSystem<?> system, Orders orders, OrderViewRepository view, long maxBodyBytes) {
    this.system = system;
    this.orders = orders;
    this.view = view;
    this.maxBodyBytes = maxBodyBytes;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  public Route routes() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
        pathPrefix("api", () -> pathPrefix("orders", () -> concat(
            pathEndOrSingleSlash(() -> concat(post(this::createOrder), get(this::listOrders))),
            path(segment(), id -> get(() -> validId(id, () -> parameterOptional("at_seq", atSeq ->
                atSeq.isPresent() ? orderAtSeq(id, atSeq.get()) : getOrder(id))))),
            path(segment().slash("events"), id -> get(() -> validId(id, () -> orderEvents(id)))))))));
  }

  /** An order id in the path that no order can have is the client's error, said before any query. */
  private Route validId(String id, java.util.function.Supplier<Route> inner) {
    String problem = Text.problem(id);
    if (problem == null && !OrderRequest.isValidId(id)) {
      problem = "may hold only letters, digits and . _ : - (at most " + OrderRequest.MAX_ID_LENGTH + ")";
    }
    return problem == null ? inner.get()
        : error(StatusCodes.BAD_REQUEST, "order id '" + Text.quote(id) + "' in the path " + problem);
  }

  private Route createOrder() {
    return withSizeLimit(maxBodyBytes, () -> extractRequestEntity(entity -> {
      if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return error(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json, not " + entity.getContentType());
      }
      return entity(Unmarshaller.entityToByteString(), body -> {
        NewOrder order;
        try {
          order = OrderRequest.parse(body.toArray());
        } catch (OrderRequest.InvalidOrder e) {
          return error(StatusCodes.BAD_REQUEST, e.getMessage());
        }
        return onComplete(orders.create(order), result -> {
          if (result.isSuccess()) {
            return complete(StatusCodes.CREATED, OrderJson.of(result.get()), Jackson.marshaller(Json.MAPPER));
          }
          Throwable e = Database.unwrap(result.failed().get());
          if (e instanceof StatusReply.ErrorMessage) return error(StatusCodes.CONFLICT, e.getMessage());
          return unavailable(e);
        });
      });
    }));
  }

  private Route getOrder(String id) {
    return onSuccess(view.find(id), found -> found
        .<Route>map(o -> complete(StatusCodes.OK, o, Jackson.marshaller(Json.MAPPER)))
        .orElseGet(() -> error(StatusCodes.NOT_FOUND, "order " + id + " not found")));
  }

  private Route listOrders() {
    return parameterOptional("status", status -> parameterOptional("customer_id", customer ->
        parameterOptional("limit", limitParam -> {
          OrderStatus st = null;
          if (status.isPresent() && !status.get().isEmpty()) {
            try {
              st = OrderStatus.valueOf(status.get());
            } catch (IllegalArgumentException e) {
              return error(StatusCodes.BAD_REQUEST, "status: must be one of Pending, Paid, Approved, Rejected, Declined");
            }
          }
          int limit = DEFAULT_LIMIT;
          if (limitParam.isPresent()) {
            try {
              limit = Integer.parseInt(limitParam.get());
            } catch (NumberFormatException e) {
              limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
              return error(StatusCodes.BAD_REQUEST, "limit: must be a whole number from 1 to " + MAX_LIMIT);
            }
          }
          String cust = customer.filter(c -> !c.isEmpty()).orElse(null);
          if (cust != null && Text.problem(cust) != null) {
            return error(StatusCodes.BAD_REQUEST, "customer_id: " + Text.problem(cust));
          }
          return onSuccess(view.list(st, cust, limit),
              list -> complete(StatusCodes.OK, Map.of("orders", list), Jackson.marshaller(Json.MAPPER)));
        })));
  }

  private Route orderEvents(String id) {
    CompletionStage<List<EventJson>> events = journal
        .currentEventsByPersistenceId(Order.persistenceIdOf(id), 0L, Long.MAX_VALUE)
        .map(env -> EventJson.of(JournalEvent.of(env.persistenceId(), env.sequenceNr(), env.timestamp(), env.event())))
        .runWith(Sink.seq(), system);
    return onSuccess(events, list -> list.isEmpty()
        ? error(StatusCodes.NOT_FOUND, "order " + id + " has no events")
        : complete(StatusCodes.OK, Map.of("order_id", id, "events", list), Jackson.marshaller(Json.MAPPER)));
  }

  /**
   * {@code GET /api/orders/{id}?at_seq=N}: the order right after its N-th event, replayed from the
   * journal through the entity's own {@link Order.State#apply}, with {@code "seq_nr": N}.
   */
  private Route orderAtSeq(String id, String atSeq) {
    if (!atSeq.matches("[0-9]+") || atSeq.matches("0+")) {
      return error(StatusCodes.BAD_REQUEST, "at_seq: must be a positive whole number (an event's seq_nr)");
    }
    if (!OrderRequest.isValidId(id)) return error(StatusCodes.NOT_FOUND, "order " + id + " not found");
    // Past any journal's end: no order has that many events.
    if (new java.math.BigInteger(atSeq).bitLength() > 63) {
      return error(StatusCodes.NOT_FOUND, "order " + id + " has no event " + atSeq);
    }
    long seqNr = Long.parseLong(atSeq);
    CompletionStage<AtSeq> replayed = journal
        .currentEventsByPersistenceId(Order.persistenceIdOf(id), 1L, seqNr)
        .runFold(new AtSeq(Order.State.empty(id), 0L),
            (at, env) -> new AtSeq(at.state().apply((Order.Event) env.event()), env.sequenceNr()), system);
    return onSuccess(replayed, at -> {
      if (at.seqNr() == 0) return error(StatusCodes.NOT_FOUND, "order " + id + " not found");
      if (at.seqNr() < seqNr) {
        return error(StatusCodes.NOT_FOUND, "order " + id + " has " + at.seqNr() + " events; there is no event "
            + seqNr);
      }
      return complete(StatusCodes.OK, new OrderAtSeq(OrderJson.of(at.state()), at.seqNr()),
          Jackson.marshaller(Json.MAPPER));
    });
  }

  private record AtSeq(Order.State state, long seqNr) {}

  /** The order JSON with {@code seq_nr}: the event it is the state after. */
  record OrderAtSeq(@com.fasterxml.jackson.annotation.JsonUnwrapped OrderJson order, long seqNr) {}

  /** One entry of {@code GET /api/orders/{id}/events}: the event's own JSON under {@code data}. */
  record EventJson(long seqNr, String eventType, long timestamp, @JsonRawValue String data) {
    static EventJson of(JournalEvent e) {
      return new EventJson(e.seqNr(), e.eventType(), e.timestamp(), e.data());
    }
  }

  private Route unavailable(Throwable e) {
    log.warn("Request failed: {}", e.toString());
    if (e instanceof TimeoutException) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, "the order service did not answer in time; retry the request");
    }
    return error(StatusCodes.SERVICE_UNAVAILABLE, "the order service is unavailable: " + e.getMessage());
  }

  private Route error(StatusCode status, String message) {
    return complete(errorResponse(status, message));
  }

  static HttpResponse errorResponse(StatusCode status, String message) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(Map.of("error", message))));
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> complete(errorResponse(StatusCodes.PAYLOAD_TOO_LARGE,
            "request body is larger than " + maxBodyBytes + " bytes")))
        .matchAny(e -> {
          Throwable cause = Database.unwrap(e);
          if (cause instanceof EntityStreamSizeException) {
            return complete(errorResponse(StatusCodes.PAYLOAD_TOO_LARGE,
                "request body is larger than " + maxBodyBytes + " bytes"));
          }
          log.error("Unexpected error in the order API", e);
          return complete(errorResponse(StatusCodes.INTERNAL_SERVER_ERROR, "internal error; see the node's log"));
        })
        .build();
  }

  private RejectionHandler rejections() {
    // Keep Pekko's status codes and messages, in the JSON error shape.
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.status().equals(StatusCodes.PAYLOAD_TOO_LARGE)) {
        return errorResponse(response.status(), "request body is larger than " + maxBodyBytes + " bytes");
      }
      if (response.entity() instanceof HttpEntity.Strict strict
          && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
        return errorResponse(response.status(), strict.getData().utf8String());
      }
      return response;
    });
  }
}
