package io.orderflow.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.orderflow.eventstore.JournalEvent;
import com.typesafe.config.Config;
import io.orderflow.infra.Database;
import io.orderflow.infra.NatsBroker;
import io.orderflow.metrics.Dashboard;
import io.orderflow.worker.Worker;
import io.orderflow.infra.DatabaseHealth;
import io.orderflow.infra.Json;
import io.orderflow.infra.Timeouts;
import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import io.orderflow.order.OrderRequest;
import io.orderflow.order.OrderStatus;
import io.orderflow.order.Text;
import io.orderflow.order.Orders;
import io.orderflow.view.OrderViewRepository;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
  private final DatabaseHealth database;
  private final Duration readTimeout;

  /**
   * @param database reads and creates answer 503 at once while it is down, instead of waiting for the pool
   * @param readTimeout a read the database has not answered by then answers 503
   */
  /**
   * The order API and the dashboard on the HTTP port (orderflow.http), bound until the node stops.
   * Returns once it listens.
   */
  public static void init(ActorSystem<?> system, Orders orders, Database db, NatsBroker broker, List<Worker> workers)
      throws Exception {
    Config http = system.settings().config().getConfig("orderflow.http");
    OrderRoutes api = new OrderRoutes(system, orders, new OrderViewRepository(db), http.getBytes("max-body-bytes"),
        db.health(), http.getDuration("read-timeout"));
    Route all = api.concat(new Dashboard(system, broker, workers).routes(), api.routes());
    HttpServer.bind(system, "HTTP", http.getString("interface"), http.getInt("port"), all,
        http.getDuration("request-arrival-timeout")).toCompletableFuture().get();
  }

  public OrderRoutes(ActorSystem<?> system, Orders orders, OrderViewRepository view, long maxBodyBytes,
      DatabaseHealth database, Duration readTimeout) {
    this.system = system;
    this.orders = orders;
    this.view = view;
    this.maxBodyBytes = maxBodyBytes;
    this.database = database;
    this.readTimeout = readTimeout;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /**
   * The routes, built once: Pekko's directives call their inner-route suppliers on every request,
   * so every supplier here returns a route made in advance, except where the route depends on
   * the path.
   */
  public Route routes() {
    ExceptionHandler exceptions = exceptions();
    RejectionHandler rejections = rejections();
    Route create = createOrder();
    Route list = get(this::listOrders);
    Route collection = pathEndOrSingleSlash(() -> concat(post(() -> create), list));
    Route one = path(segment(), id -> get(() -> validId(id, () -> parameterOptional("at_seq", atSeq ->
        atSeq.isPresent() ? orderAtSeq(id, atSeq.get()) : getOrder(id)))));
    Route events = path(segment().slash("events"), id -> get(() -> validId(id, () -> orderEvents(id))));
    Route orders = pathPrefix("orders", () -> concat(collection, one, events));
    Route api = pathPrefix("api", () -> orders);
    Route guarded = handleRejections(rejections, () -> api);
    return handleExceptions(exceptions, () -> guarded);
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

  /**
   * Bodies up to this size are read in full even when over max-body-bytes or of the wrong type, so
   * that the 413 or 415 leaves the connection usable: answering before the client has sent its body
   * makes the server close the connection, and a client still writing sees a reset instead of the
   * answer. Larger ones are cut.
   */
  private static final long READ_BEFORE_REFUSING = 1024 * 1024;

  private Route createOrder() {
    Route create = extractRequestEntity(entity ->
      optionalHeaderValueByName(IdempotencyKey.HEADER, key -> entity(Unmarshaller.entityToByteString(), body -> {
        // Refused only once the body is read, as for its size (READ_BEFORE_REFUSING).
        if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
          return error(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
              "Content-Type must be application/json, not " + entity.getContentType());
        }
        if (body.size() > maxBodyBytes) {
          return error(StatusCodes.PAYLOAD_TOO_LARGE, "request body is larger than " + maxBodyBytes + " bytes");
        }
        NewOrder parsed;
        NewOrder order;
        try {
          parsed = OrderRequest.parse(body.toArray());
          order = IdempotencyKey.assignOrderId(parsed, key.orElse(null), orders::newOrderId);
        } catch (OrderRequest.InvalidOrder e) {
          return error(StatusCodes.BAD_REQUEST, e.getMessage());
        }
        // The id is fixed before the entity is asked, so that a 503 can name it: the client
        // re-posts under it and gets this very order, whether or not the first try was journaled.
        String orderId = order.orderId();
        // While the database is known to be down the entity could not journal the order: say so
        // at once rather than after the ask timeout, and start no entity that would fail.
        if (!database.isUp()) return notConfirmed(orderId, "the order store is unavailable");
        // An id made up here has no events yet: its entity may recover without a query.
        boolean madeUpHere = parsed.orderId() == null && key.isEmpty();
        return onComplete(madeUpHere ? orders.createNew(order) : orders.create(order), result -> {
          if (result.isSuccess()) {
            return complete(StatusCodes.CREATED, OrderJson.of(result.get()), Jackson.marshaller(Json.MAPPER));
          }
          Throwable e = Database.unwrap(result.failed().get());
          if (e instanceof StatusReply.ErrorMessage) return error(StatusCodes.CONFLICT, e.getMessage());
          log.warn("Order {}: create not confirmed: {}", orderId, Database.rootMessage(e));
          return notConfirmed(orderId, "the order was not confirmed in time");
        });
      })));
    return withSizeLimit(Math.max(maxBodyBytes, READ_BEFORE_REFUSING), () -> create);
  }

  private Route getOrder(String id) {
    return read("order " + id, () -> view.find(id), found -> found
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
          OrderStatus byStatus = st;
          int max = limit;
          return read("order list", () -> view.list(byStatus, cust, max),
              list -> complete(StatusCodes.OK, Map.of("orders", list), Jackson.marshaller(Json.MAPPER)));
        })));
  }

  private Route orderEvents(String id) {
    Supplier<CompletionStage<List<EventJson>>> events = () -> journal
        .currentEventsByPersistenceId(Order.persistenceIdOf(id), 0L, Long.MAX_VALUE)
        .map(env -> EventJson.of(JournalEvent.of(env.persistenceId(), env.sequenceNr(), env.timestamp(), env.event())))
        .runWith(Sink.seq(), system);
    return read("events of order " + id, events, list -> list.isEmpty()
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

  /**
   * A read from the database: 503 at once while the database is known to be down, 503 when it
   * has not answered within the read timeout or cannot be reached; the cause is logged, never
   * sent (it may hold SQL or pool internals).
   */
  private <T> Route read(String what, Supplier<CompletionStage<T>> query, java.util.function.Function<T, Route> then) {
    if (!database.isUp()) return error(StatusCodes.SERVICE_UNAVAILABLE, READ_UNAVAILABLE);
    CompletionStage<T> answer;
    try {
      answer = Timeouts.within(query.get(), readTimeout, system);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return onComplete(answer, result -> {
      if (result.isSuccess()) return then.apply(result.get());
      Throwable e = Database.unwrap(result.failed().get());
      if (e instanceof TimeoutException || Database.isUnavailable(e)) {
        log.warn("Read of {} failed: {}", what, Database.rootMessage(e));
        // The reads after it answer at once instead of each waiting for a connection.
        if (Database.isGone(e)) database.gone(Database.rootMessage(e));
        return error(StatusCodes.SERVICE_UNAVAILABLE, READ_UNAVAILABLE);
      }
      log.error("Read of {} failed", what, e);
      return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error");
    });
  }

  /**
   * 503 for a create: the outcome is unknown (an earlier try, or this one, may still be
   * journaled), so the answer names the order id under which a re-post is safe.
   */
  private Route notConfirmed(String orderId, String why) {
    return complete(jsonResponse(StatusCodes.SERVICE_UNAVAILABLE, Map.of(
        "error", why + "; it may or may not have been accepted: re-post it with the same order_id",
        "order_id", orderId)));
  }

  private static final String READ_UNAVAILABLE = "the order store is unavailable; retry later";

  private Route error(StatusCode status, String message) {
    return complete(errorResponse(status, message));
  }

  static HttpResponse errorResponse(StatusCode status, String message) {
    return jsonResponse(status, Map.of("error", message));
  }

  private static HttpResponse jsonResponse(StatusCode status, Map<String, String> body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(body)));
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
          // The cause stays in the log: it may hold SQL, pool or sharding internals.
          return complete(errorResponse(StatusCodes.INTERNAL_SERVER_ERROR, "internal error"));
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
