package io.orderflow.view;

import io.orderflow.infra.Database;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderJson;
import io.orderflow.order.OrderStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The read model: tables {@code orders} and {@code order_items}, plain JDBC. */
public final class OrderViewRepository {
  /**
   * An order as of one journaled event. Its lines never change after its first event, so they are
   * written only with an update that includes the first event ({@code first}).
   */
  public record Update(OrderJson order, long seqNr, boolean first) {
    public Update(OrderJson order, long seqNr) {
      this(order, seqNr, seqNr == 1);
    }

    /** The newer of the two, carrying the lines if either does. */
    Update merge(Update other) {
      Update newer = seqNr >= other.seqNr ? this : other;
      return new Update(newer.order, newer.seqNr, first || other.first);
    }
  }

  // Applies only a newer event: redeliveries and out-of-order messages change nothing.
  private static final String UPSERT_ORDER = upsertOrder("orders");
  private static final String INSERT_ITEM = insertItem("order_items");
  private static final String SELECT_ORDER =
      "SELECT order_id, customer_id, restaurant_id, status, created_on, amount, currency, payment_id, reason,"
          + " refund_id FROM orders";

  /** The upsert into an orders table (also the rebuild's fresh one), parameters as {@link #setOrder}. */
  static String upsertOrder(String table) {
    return "INSERT INTO " + table + " (order_id, customer_id, restaurant_id, status, created_on, amount, currency,"
        + " payment_id, reason, refund_id, updated_on, last_event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id,"
        + " restaurant_id = excluded.restaurant_id, status = excluded.status, created_on = excluded.created_on,"
        + " amount = excluded.amount, currency = excluded.currency, payment_id = excluded.payment_id,"
        + " reason = excluded.reason, refund_id = excluded.refund_id,"
        + " updated_on = excluded.updated_on, last_event_seq = excluded.last_event_seq"
        + " WHERE " + table + ".last_event_seq < excluded.last_event_seq";
  }

  /** The insert into an order_items table, parameters as {@link #setItem}. */
  static String insertItem(String table) {
    return "INSERT INTO " + table + " (order_id, line_no, code, name, unit_price, quantity) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (order_id, line_no) DO NOTHING";
  }

  static void setOrder(PreparedStatement ps, OrderJson s, long updatedOn, long seqNr) throws SQLException {
    ps.setString(1, s.orderId());
    ps.setString(2, s.customerId());
    ps.setString(3, s.restaurantId());
    ps.setString(4, s.status().name());
    ps.setLong(5, s.createdOn());
    ps.setBigDecimal(6, s.amount());
    ps.setString(7, s.currency());
    ps.setString(8, s.paymentId());
    ps.setString(9, s.reason());
    ps.setString(10, s.refundId());
    ps.setLong(11, updatedOn);
    ps.setLong(12, seqNr);
  }

  /** Adds every line of the order to the batch of {@code items}. */
  static void addItems(PreparedStatement items, OrderJson s) throws SQLException {
    List<OrderItem> lines = s.orderItems();
    for (int i = 0; i < lines.size(); i++) {
      OrderItem item = lines.get(i);
      items.setString(1, s.orderId());
      items.setInt(2, i);
      items.setString(3, item.code());
      items.setString(4, item.name());
      items.setBigDecimal(5, item.unitPrice());
      items.setInt(6, item.quantity());
      items.addBatch();
    }
  }

  private final Database db;

  public OrderViewRepository(Database db) {
    this.db = db;
  }

  /** Applies a batch of updates in one transaction. */
  public CompletionStage<Void> apply(Collection<Update> updates) {
    // One row per order (the newest), in key order so concurrent batches lock in the same order.
    Map<String, Update> newest = new java.util.TreeMap<>();
    for (Update u : updates) newest.merge(u.order().orderId(), u, Update::merge);
    return db.inTransactionAsync(c -> {
      write(c, newest.values());
      return null;
    });
  }

  private static void write(Connection c, Collection<Update> updates) throws SQLException {
    long now = Instant.now().getEpochSecond();
    try (PreparedStatement orders = c.prepareStatement(UPSERT_ORDER);
        PreparedStatement items = c.prepareStatement(INSERT_ITEM)) {
      for (Update u : updates) {
        setOrder(orders, u.order(), now, u.seqNr());
        orders.addBatch();
        if (u.first()) addItems(items, u.order());
      }
      orders.executeBatch();
      items.executeBatch();
    }
  }

  public CompletionStage<Optional<OrderJson>> find(String orderId) {
    return db.inTransactionAsync(c -> {
      List<OrderJson> found = query(c, SELECT_ORDER + " WHERE order_id = ?", List.of(orderId));
      return found.stream().findFirst();
    });
  }

  /** Newest first; filters are optional. */
  public CompletionStage<List<OrderJson>> list(OrderStatus status, String customerId, int limit) {
    StringBuilder sql = new StringBuilder(SELECT_ORDER).append(" WHERE TRUE");
    List<Object> params = new ArrayList<>();
    if (status != null) {
      sql.append(" AND status = ?");
      params.add(status.name());
    }
    if (customerId != null) {
      sql.append(" AND customer_id = ?");
      params.add(customerId);
    }
    sql.append(" ORDER BY created_on DESC, order_id LIMIT ").append(limit);
    return db.inTransactionAsync(c -> query(c, sql.toString(), params));
  }

  private static List<OrderJson> query(Connection c, String sql, List<?> params) throws SQLException {
    Map<String, OrderJson> orders = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          orders.put(rs.getString(1), new OrderJson(rs.getString(1), rs.getString(2), rs.getString(3),
              OrderStatus.valueOf(rs.getString(4)), rs.getLong(5), rs.getBigDecimal(6), rs.getString(7), List.of(),
              rs.getString(8), rs.getString(9), rs.getString(10)));
        }
      }
    }
    if (orders.isEmpty()) return List.of();
    Map<String, List<OrderItem>> items = new LinkedHashMap<>();
    String in = String.join(",", java.util.Collections.nCopies(orders.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT order_id, code, name, unit_price, quantity FROM order_items WHERE order_id IN (" + in
            + ") ORDER BY order_id, line_no")) {
      int i = 1;
      for (String id : orders.keySet()) ps.setString(i++, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          items.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new OrderItem(rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getInt(5)));
        }
      }
    }
    return orders.values().stream().map(o -> o.withItems(items.getOrDefault(o.orderId(), List.of()))).toList();
  }
}
