package io.orderflow.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.orderflow.infra.Database;
import io.orderflow.infra.DatabaseLogin;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar orderflow.jar rebuild-read-model}: replays the journal into fresh tables and
 * swaps them in for {@code orders} / {@code order_items} in one transaction, while nodes keep
 * running. Afterwards the read model is what a replay of the journal gives: damaged rows repaired,
 * deleted rows back, rows of no order gone.
 *
 * <p>Nothing that happens meanwhile is lost. The replay reads one snapshot of the journal; the
 * stream-processor keeps upserting into the live table (guarded by last_event_seq). Every live
 * row that is newer than its rebuilt row, or missing from the rebuild, is replayed again from the
 * journal: first in passes while nothing is locked, then once more inside the swap transaction,
 * after renaming the live tables away has locked them (so no write can slip in between the last
 * look and the swap). Events journaled later reach the new tables through the stream-processor,
 * whose guard keeps every row from going back. The old tables are dropped after the swap;
 * indexes and constraints are renamed with their tables, so schema.sql's names stay right.
 *
 * <p>Portable SQL (PostgreSQL and CockroachDB): table and index renames in a transaction, no
 * LOCK TABLE, no CONCURRENTLY, no procedural code.
 */
@Command(name = "rebuild-read-model", mixinStandardHelpOptions = true,
    description = {"Rebuild the orders read model from the journal and swap it in while nodes keep running.",
        "Progress goes to stderr, one JSON line of results to stdout; exit 1 on failure (the old read model stays)."})
public final class ReadModelRebuild implements Callable<Integer> {
  static final String ORDERS = "orders";
  static final String ITEMS = "order_items";
  static final String NEW = "_rebuild";
  static final String OLD = "_old";
  /** Catch-up passes end when fewer orders than this changed during the last one. */
  private static final int SMALL_ENOUGH = 100;
  private static final int MAX_PASSES = 5;
  private static final int SWAP_ATTEMPTS = 5;
  private static final String RETRY_STATES = "40001 40P01 55P03";

  @Option(names = "--db-url", description = "JDBC URL of the nodes' database (default: DB_URL; required)")
  String dbUrl = System.getenv("DB_URL");

  @Mixin DatabaseLogin login;

  @Option(names = "--batch-size", description = "orders written per transaction (default ${DEFAULT-VALUE})")
  int batchSize = 500;

  @Option(names = "--force", description = "drop the tables an interrupted rebuild left behind, then rebuild")
  boolean force;

  /** For tests: wait for a line on stdin right before the swap, to write to the read model at that moment. */
  @Option(names = "--wait-before-swap", hidden = true)
  boolean waitBeforeSwap;

  private Serialization serialization;
  private final Summary summary = new Summary();
  /** Events read so far, for progress lines. */
  private long eventsRead;

  public static int run(String[] args) {
    return new CommandLine(new ReadModelRebuild()).execute(args);
  }

  /** A failure with a message for the user; the old read model is untouched. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** An event the serializer cannot read: nodes could not replay it either. */
  static final class UnreadableEvent extends RuntimeException {
    UnreadableEvent(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What the rebuild did, printed as one JSON line. */
  static final class Summary {
    long orders;
    long events;
    long caughtUp;
    long restored;
    long repaired;
    long removed;
    long swapMs;
    double seconds;

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("orders", orders);
      m.put("events", events);
      m.put("caught_up", caughtUp);
      m.put("restored", restored);
      m.put("repaired", repaired);
      m.put("removed", removed);
      m.put("swap_ms", swapMs);
      m.put("seconds", Math.round(seconds * 10) / 10.0);
      return m;
    }
  }

  @Override
  public Integer call() {
    // stdout carries the result line alone: anything else that prints (logging included) goes to stderr.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    long start = System.nanoTime();
    try {
      if (dbUrl == null || dbUrl.isBlank()) {
        throw new Refused("DB_URL is not set: give the JDBC URL of the database the nodes use "
            + "(DB_URL, DB_USER, DB_PASSWORD, or --db-url ...)");
      }
      if (batchSize < 1) throw new Refused("--batch-size must be at least 1");
      try (Connection c = connect()) {
        progress("connected to %s", dbUrl);
        ActorSystem<Void> system = serializationOnlySystem();
        try {
          serialization = SerializationExtension.get(system.classicSystem());
          rebuild(c);
        } finally {
          system.terminate();
        }
      }
      summary.seconds = (System.nanoTime() - start) / 1e9;
      stdout.println(Json.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.ALWAYS)
          .writeValueAsString(summary.toMap()));
      return 0;
    } catch (Refused | UnreadableEvent e) {
      progress("failed: %s (the read model was left as it was)", e.getMessage());
      return 1;
    } catch (Exception e) {
      progress("failed: %s (the read model was left as it was)", Database.rootMessage(e));
      return 1;
    } finally {
      System.setOut(stdout);
    }
  }

  /** Pekko's serialization with the nodes' settings (Jackson CBOR and its migrations), and nothing else. */
  private static ActorSystem<Void> serializationOnlySystem() {
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = OFF
            pekko.log-dead-letters = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """)
        .withFallback(ConfigFactory.parseResources("serialization.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return ActorSystem.create(Behaviors.empty(), "orderflow-rebuild", config);
  }

  private Connection connect() throws Refused {
    Properties props = login.properties();
    props.setProperty("connectTimeout", "10");
    try {
      return DriverManager.getConnection(dbUrl, props);
    } catch (SQLException e) {
      throw new Refused("cannot reach the database at " + dbUrl + ": " + Database.rootMessage(e));
    }
  }

  private void rebuild(Connection c) throws Exception {
    prepare(c);
    try {
      replayAll(c);
      try (Statement st = c.createStatement()) {
        // Built after the bulk load, which is faster than keeping them up to date row by row.
        st.execute("CREATE INDEX orders" + NEW + "_status_idx ON orders" + NEW + " (status, created_on)");
        st.execute("CREATE INDEX orders" + NEW + "_customer_idx ON orders" + NEW + " (customer_id, created_on)");
      }
      Set<String> settled = new java.util.HashSet<>();
      for (int pass = 1; pass <= MAX_PASSES; pass++) {
        int changed = catchUp(c, ORDERS, settled, false);
        progress("catch-up pass %d: %d orders changed while rebuilding, replayed again", pass, changed);
        if (changed < SMALL_ENOUGH) break;
      }
      if (waitBeforeSwap) {
        progress("waiting before the swap: press Enter");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      }
      swapWithRetries(c);
    } catch (Exception e) {
      // Not swapped: the live tables are as they were; leave nothing behind for the next run.
      try (Statement st = c.createStatement()) {
        c.setAutoCommit(true);
        st.execute("DROP TABLE IF EXISTS " + ITEMS + NEW);
        st.execute("DROP TABLE IF EXISTS " + ORDERS + NEW);
      } catch (SQLException cleanup) {
        progress("could not drop %s and %s (%s): the next run needs --force", ITEMS + NEW, ORDERS + NEW,
            Database.rootMessage(cleanup));
      }
      throw e;
    }
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + ITEMS + OLD);
      st.execute("DROP TABLE " + ORDERS + OLD);
      progress("dropped the old tables");
    } catch (SQLException e) {
      // The new read model is in place; only the old tables are left over.
      progress("swapped, but could not drop %s and %s (%s): drop them, or the next run needs --force",
          ITEMS + OLD, ORDERS + OLD, Database.rootMessage(e));
    }
  }

  // ---- preparing ------------------------------------------------------------------------

  private void prepare(Connection c) throws SQLException, Refused {
    c.setAutoCommit(true);
    for (String required : List.of("event_journal", ORDERS, ITEMS)) {
      if (!tableExists(c, required)) {
        throw new Refused("table " + required + " does not exist at " + dbUrl
            + ": this is not an orderflow database (a node creates the schema when it starts)");
      }
    }
    List<String> leftovers = new ArrayList<>();
    for (String t : List.of(ITEMS + NEW, ORDERS + NEW, ITEMS + OLD, ORDERS + OLD)) {
      if (tableExists(c, t)) leftovers.add(t);
    }
    if (!leftovers.isEmpty()) {
      if (!force) {
        throw new Refused("tables " + leftovers + " exist: another rebuild is running, or one was interrupted."
            + " If none is running, run again with --force to drop them (the live read model is not touched)");
      }
      try (Statement st = c.createStatement()) {
        for (String t : leftovers) st.execute("DROP TABLE " + t);
      }
      progress("dropped the leftovers of an interrupted rebuild: %s", leftovers);
    }
    // Created without IF NOT EXISTS: a second rebuild starting at the same time fails here.
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute(createOrders(ORDERS + NEW));
      st.execute(createItems(ITEMS + NEW, ORDERS + NEW));
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw new Refused("cannot create the fresh tables (" + Database.rootMessage(e) + "): is another rebuild running?");
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The read model's tables as schema.sql makes them (columns in the same order, added ones last). */
  static String createOrders(String table) {
    return "CREATE TABLE " + table + " ("
        + " order_id VARCHAR(128) NOT NULL,"
        + " customer_id VARCHAR(128) NOT NULL,"
        + " restaurant_id VARCHAR(128) NOT NULL,"
        + " status VARCHAR(16) NOT NULL,"
        + " created_on BIGINT NOT NULL,"
        + " amount NUMERIC(18, 2) NOT NULL,"
        + " payment_id VARCHAR(128),"
        + " reason VARCHAR(512),"
        + " updated_on BIGINT NOT NULL,"
        + " last_event_seq BIGINT NOT NULL,"
        + " currency VARCHAR(3) NOT NULL DEFAULT 'USD',"
        + " refund_id VARCHAR(128),"
        + " CONSTRAINT " + table + "_pkey PRIMARY KEY (order_id))";
  }

  static String createItems(String table, String ordersTable) {
    return "CREATE TABLE " + table + " ("
        + " order_id VARCHAR(128) NOT NULL,"
        + " line_no INTEGER NOT NULL,"
        + " code VARCHAR(128) NOT NULL,"
        + " name VARCHAR(256) NOT NULL,"
        + " unit_price NUMERIC(12, 2) NOT NULL,"
        + " quantity INTEGER NOT NULL,"
        + " CONSTRAINT " + table + "_pkey PRIMARY KEY (order_id, line_no),"
        + " CONSTRAINT " + table + "_order_id_fkey FOREIGN KEY (order_id) REFERENCES " + ordersTable
        + " (order_id) ON DELETE CASCADE)";
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM information_schema.tables"
        + " WHERE table_schema = current_schema() AND table_name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  // ---- replaying ------------------------------------------------------------------------

  /** One order as the replay of its events gives it. */
  record Replayed(OrderJson order, long seqNr, long writeTimestamp) {}

  /** Receives replayed orders, in persistence id order. */
  @FunctionalInterface
  interface ReplayedSink {
    void accept(Replayed order) throws SQLException;
  }

  /** Replays every order in one snapshot of the journal into the fresh tables, a batch per transaction. */
  private void replayAll(Connection write) throws Exception {
    progress("replaying the journal into %s and %s", ORDERS + NEW, ITEMS + NEW);
    long[] lastReport = {System.nanoTime()};
    try (Connection read = connect(); BatchWriter writer = new BatchWriter(write, batchSize)) {
      // One statement reads one snapshot; with autocommit off the driver streams it in pages.
      read.setAutoCommit(false);
      summary.events += replay(read, "persistence_id LIKE 'Order|%'", List.of(), r -> {
        writer.add(r);
        summary.orders++;
        if (System.nanoTime() - lastReport[0] > 2_000_000_000L) {
          progress("replayed %d orders (%d events)", summary.orders, eventsRead);
          lastReport[0] = System.nanoTime();
        }
      });
      read.commit();
    }
    progress("replayed %d orders", summary.orders);
  }

  /**
   * Reads the events the condition selects in journal order and hands each order to the sink
   * after its last one; returns the number of events read.
   */
  private long replay(Connection c, String where, List<String> params, ReplayedSink sink) throws SQLException {
    String sql = "SELECT persistence_id, sequence_number, event_ser_id, event_ser_manifest, event_payload,"
        + " write_timestamp FROM event_journal WHERE deleted = FALSE AND " + where
        + " ORDER BY persistence_id, sequence_number";
    long events = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(1000);
      for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        String pid = null;
        Order.State state = null;
        long seqNr = 0;
        long timestamp = 0;
        while (rs.next()) {
          String rowPid = rs.getString(1);
          if (!rowPid.equals(pid)) {
            if (pid != null) sink.accept(new Replayed(OrderJson.of(state), seqNr, timestamp));
            pid = rowPid;
            state = Order.State.empty(rowPid.substring(rowPid.indexOf('|') + 1));
          }
          seqNr = rs.getLong(2);
          timestamp = rs.getLong(6);
          state = state.apply(event(rowPid, seqNr, rs.getInt(3), rs.getString(4), rs.getBytes(5)));
          events++;
          eventsRead++;
        }
        if (pid != null) sink.accept(new Replayed(OrderJson.of(state), seqNr, timestamp));
      }
    }
    return events;
  }

  private Order.Event event(String pid, long seqNr, int serializerId, String manifest, byte[] payload) {
    try {
      return (Order.Event) serialization.deserialize(payload, serializerId, manifest).get();
    } catch (Exception e) {
      // Nodes could not replay it either: the journal needs attention before the read model does.
      throw new UnreadableEvent("event " + pid + ":" + seqNr + " (" + manifest + ") cannot be read: "
          + Database.rootMessage(e), e);
    }
  }

  /** Writes replayed orders into the fresh tables, one transaction per batch. */
  private static final class BatchWriter implements AutoCloseable {
    private final Connection c;
    private final int size;
    private final List<Replayed> pending = new ArrayList<>();

    BatchWriter(Connection c, int size) {
      this.c = c;
      this.size = size;
    }

    void add(Replayed r) throws SQLException {
      pending.add(r);
      if (pending.size() >= size) flush();
    }

    void flush() throws SQLException {
      if (pending.isEmpty()) return;
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        write(c, pending);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
      pending.clear();
    }

    @Override
    public void close() throws SQLException {
      flush();
    }
  }

  /** Upserts replayed orders into the fresh tables on the caller's transaction. */
  private static void write(Connection c, Collection<Replayed> orders) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(OrderViewRepository.upsertOrder(ORDERS + NEW));
        PreparedStatement items = c.prepareStatement(OrderViewRepository.insertItem(ITEMS + NEW))) {
      for (Replayed r : orders) {
        OrderViewRepository.setOrder(ps, r.order(), r.writeTimestamp() / 1000, r.seqNr());
        ps.addBatch();
        OrderViewRepository.addItems(items, r.order());
      }
      ps.executeBatch();
      items.executeBatch();
    }
  }

  // ---- catching up ----------------------------------------------------------------------

  /**
   * Replays again every order whose row in {@code live} is newer than its rebuilt row, or has
   * none: it changed after the replay's snapshot, or the live row is damaged, or it is of no
   * order. Returns how many rebuilt orders this changed.
   *
   * @param settled orders whose replay changed nothing (damaged or orphan live rows): skipped by
   *     later passes, and filled in by this one; the pass inside the swap gets an empty set
   * @param inTransaction write on the caller's transaction (the swap) instead of committing here
   */
  private int catchUp(Connection c, String live, Set<String> settled, boolean inTransaction) throws SQLException {
    Map<String, Long> rebuiltSeq = new LinkedHashMap<>(); // order id -> its rebuilt row's seq (0: none)
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT l.order_id, r.last_event_seq FROM " + live + " l LEFT JOIN "
            + ORDERS + NEW + " r ON r.order_id = l.order_id"
            + " WHERE r.order_id IS NULL OR r.last_event_seq < l.last_event_seq")) {
      while (rs.next()) {
        if (!settled.contains(rs.getString(1))) rebuiltSeq.put(rs.getString(1), rs.getLong(2));
      }
    }
    List<String> ids = new ArrayList<>(rebuiltSeq.keySet());
    settled.addAll(ids);
    int changed = 0;
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> pids = ids.subList(from, Math.min(ids.size(), from + 500)).stream()
          .map(Order::persistenceIdOf).toList();
      List<Replayed> newer = new ArrayList<>();
      replay(c, "persistence_id IN (" + String.join(",", Collections.nCopies(pids.size(), "?")) + ")", pids, r -> {
        if (r.seqNr() > rebuiltSeq.get(r.order().orderId())) newer.add(r);
      });
      for (Replayed r : newer) settled.remove(r.order().orderId()); // it moved: look again next pass
      if (inTransaction) {
        write(c, newer);
      } else {
        BatchWriter writer = new BatchWriter(c, Integer.MAX_VALUE);
        for (Replayed r : newer) writer.add(r);
        writer.flush();
      }
      changed += newer.size();
    }
    summary.caughtUp += changed;
    return changed;
  }

  // ---- swapping -------------------------------------------------------------------------

  private void swapWithRetries(Connection c) throws Exception {
    try (Statement st = c.createStatement()) {
      // Wait at most this long for the live tables (PostgreSQL; elsewhere the default wait).
      st.execute("SET lock_timeout = '10s'");
    } catch (SQLException e) {
      progress("no lock_timeout on this database (%s); the swap waits for the live tables as long as it takes",
          Database.rootMessage(e));
    }
    for (int attempt = 1; ; attempt++) {
      try {
        swap(c);
        return;
      } catch (SQLException e) {
        if (attempt >= SWAP_ATTEMPTS || e.getSQLState() == null || !RETRY_STATES.contains(e.getSQLState())) throw e;
        progress("swap attempt %d failed (%s); catching up and trying again", attempt, Database.rootMessage(e));
        Thread.sleep(500L * attempt);
        catchUp(c, ORDERS, new java.util.HashSet<>(), false);
      }
    }
  }

  /**
   * One transaction: rename the live tables away (which waits for the writes in flight and holds
   * off new ones until commit), replay what changed since the last pass, rename the fresh
   * tables in. Readers and the stream-processor wait during it, then see the new tables.
   */
  private void swap(Connection c) throws SQLException {
    progress("swapping the fresh tables in");
    long start = System.nanoTime();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("ALTER TABLE " + ORDERS + " RENAME TO " + ORDERS + OLD);
      st.execute("ALTER TABLE " + ITEMS + " RENAME TO " + ITEMS + OLD);
      renameDependents(c, ORDERS, ORDERS + OLD);
      renameDependents(c, ITEMS, ITEMS + OLD);
      // Nothing writes the old tables any more: this last look at them misses nothing.
      int last = catchUp(c, ORDERS + OLD, new java.util.HashSet<>(), true);
      diff(c);
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + ORDERS + NEW)) {
        rs.next();
        summary.orders = rs.getLong(1);
      }
      st.execute("ALTER TABLE " + ORDERS + NEW + " RENAME TO " + ORDERS);
      st.execute("ALTER TABLE " + ITEMS + NEW + " RENAME TO " + ITEMS);
      renameDependents(c, ORDERS + NEW, ORDERS);
      renameDependents(c, ITEMS + NEW, ITEMS);
      c.commit();
      summary.swapMs = (System.nanoTime() - start) / 1_000_000;
      progress("swapped in %d ms (%d orders replayed again inside the swap)", summary.swapMs, last);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Renames the indexes and constraints of a renamed table whose names start with its old name,
   * so that the names schema.sql uses ({@code orders_status_idx}, {@code orders_pkey}, ...)
   * always belong to the live tables.
   */
  private static void renameDependents(Connection c, String oldName, String newName) throws SQLException {
    String prefix = oldName + "_";
    List<String> constraints = names(c, "SELECT constraint_name FROM information_schema.table_constraints"
        + " WHERE table_schema = current_schema() AND table_name = ?"
        + " AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')", newName);
    try (Statement st = c.createStatement()) {
      for (String n : constraints) {
        if (n.startsWith(prefix)) {
          st.execute("ALTER TABLE " + newName + " RENAME CONSTRAINT " + n + " TO " + newName + "_"
              + n.substring(prefix.length()));
        }
      }
      // Asked after the constraints: renaming a key renames the index behind it.
      for (String n : names(c, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
          + " AND tablename = ?", newName)) {
        if (n.startsWith(prefix)) {
          st.execute("ALTER INDEX " + n + " RENAME TO " + newName + "_" + n.substring(prefix.length()));
        }
      }
    }
  }

  private static List<String> names(Connection c, String sql, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** How the rebuilt tables differ from the old ones at the moment of the swap. */
  private void diff(Connection c) throws SQLException {
    String n = ORDERS + NEW;
    String o = ORDERS + OLD;
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT"
          + " coalesce(sum(CASE WHEN o.order_id IS NULL THEN 1 ELSE 0 END), 0),"
          + " coalesce(sum(CASE WHEN n.order_id IS NULL THEN 1 ELSE 0 END), 0)"
          + " FROM " + n + " n FULL OUTER JOIN " + o + " o ON o.order_id = n.order_id")) {
        rs.next();
        summary.restored = rs.getLong(1);
        summary.removed = rs.getLong(2);
      }
      String itemColumns = "order_id, line_no, code, name, unit_price, quantity";
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ("
          + " SELECT n.order_id FROM " + n + " n JOIN " + o + " o ON o.order_id = n.order_id WHERE"
          + " n.customer_id <> o.customer_id OR n.restaurant_id <> o.restaurant_id OR n.status <> o.status"
          + " OR n.created_on <> o.created_on OR n.amount <> o.amount OR n.currency <> o.currency"
          + " OR n.payment_id IS DISTINCT FROM o.payment_id OR n.reason IS DISTINCT FROM o.reason"
          + " OR n.refund_id IS DISTINCT FROM o.refund_id OR n.last_event_seq <> o.last_event_seq"
          + " UNION"
          + " SELECT d.order_id FROM ("
          + " (SELECT " + itemColumns + " FROM " + ITEMS + NEW + " EXCEPT SELECT " + itemColumns + " FROM " + ITEMS + OLD
          + ") UNION ALL"
          + " (SELECT " + itemColumns + " FROM " + ITEMS + OLD + " EXCEPT SELECT " + itemColumns + " FROM " + ITEMS + NEW
          + ")) d JOIN " + n + " n ON n.order_id = d.order_id JOIN " + o + " o ON o.order_id = d.order_id) x")) {
        rs.next();
        summary.repaired = rs.getLong(1);
      }
    }
  }

  private static void progress(String format, Object... args) {
    System.err.println("rebuild-read-model: " + String.format(format, args));
  }
}
