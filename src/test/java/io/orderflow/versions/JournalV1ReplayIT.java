package io.orderflow.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.api.MessageInfo;
import io.orderflow.infra.Json;
import io.orderflow.infra.Slices;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.PreviousVersion;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database of the previous version (its schema, its journal rows from
 * src/test/resources/journal-v1) taken over by a node of this version, on a real PostgreSQL and
 * nats-server: the old orders are served, replayed at any event, published, and one left
 * half-way goes on.
 */
class JournalV1ReplayIT {
  static final Path ROWS = Path.of("src", "test", "resources", "journal-v1");

  /** Inserts the fixture rows as the previous version wrote them, tags included; skips {@code except}. */
  static void insertRows(TestDatabase db, String except) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement row = c.prepareStatement("INSERT INTO event_journal (persistence_id, sequence_number,"
            + " deleted, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
            + " VALUES (?, ?, FALSE, ?, ?, '', ?, ?, ?) RETURNING ordering");
        PreparedStatement tag = c.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)")) {
      for (String line : Files.readAllLines(ROWS.resolve("rows.tsv"))) {
        String[] f = line.split("\t");
        if ((f[0] + ":" + f[1]).equals(except)) continue;
        row.setString(1, f[0]);
        row.setLong(2, Long.parseLong(f[1]));
        row.setString(3, f[2]);
        row.setLong(4, Long.parseLong(f[3]));
        row.setInt(5, Integer.parseInt(f[4]));
        row.setString(6, f[5]);
        row.setBytes(7, Files.readAllBytes(ROWS.resolve(f[6])));
        try (ResultSet rs = row.executeQuery()) {
          rs.next();
          tag.setLong(1, rs.getLong(1));
        }
        tag.setString(2, Slices.tagFor(f[0], 4));
        tag.executeUpdate();
      }
    }
  }

  @Test
  void aNewNodeServesAndContinuesOrdersJournaledByThePreviousVersion() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute(PreviousVersion.resource("db/schema.sql"));
      }
      // v1-approved is left after its debit, as if the old nodes stopped before review got to it.
      insertRows(db, "Order|v1-approved:3");
      String v1Writer = (String) db.rows("SELECT writer FROM event_journal WHERE persistence_id = 'Order|v1-approved'"
          + " AND sequence_number = 1").get(0).get(0);

      try (TestNode node = TestNode.start(db, nats.url())) {
        String base = node.url("");
        // Every old order reaches its end: the half-way one is approved, the rejected one refunded.
        Fixtures.assertEachFinishedOnce(base, db, nats,
            Map.of("v1-approved", "Approved", "v1-declined", "Declined", "v1-rejected", "Rejected"),
            Duration.ofSeconds(60));
        var third = db.rows("SELECT writer, event_ser_manifest FROM event_journal"
            + " WHERE persistence_id = 'Order|v1-approved' AND sequence_number = 3").get(0);
        assertNotEquals(v1Writer, third.get(0), "event 3 written by the new node");
        assertEquals("io.orderflow.order.Order$OrderApproved", third.get(1));

        // The old events, as served today: order.created in its current shape.
        Http.Reply declinedEvents = Http.get(node.url("/api/orders/v1-declined/events"));
        assertTrue(declinedEvents.body().contains("\"amount\":1200.00,\"currency\":\"USD\""), declinedEvents.body());
        JsonNode events = declinedEvents.json().get("events");
        assertEquals(List.of("order.created", "order.payment.declined"),
            List.of(events.get(0).get("event_type").asText(), events.get(1).get("event_type").asText()));
        JsonNode created = events.get(0).get("data");
        assertEquals("USD", created.get("currency").asText());
        assertEquals("Big", created.get("order_items").get(0).get("name").asText());

        // The old order at each of its events, and after the refund the new node added.
        JsonNode pending = Http.get(node.url("/api/orders/v1-rejected?at_seq=1")).json();
        assertEquals(List.of("Pending", "USD", "1795776556", "1"), List.of(pending.get("status").asText(),
            pending.get("currency").asText(), pending.get("created_on").asText(), pending.get("seq_nr").asText()));
        assertEquals("total quantity 101 exceeds 100",
            Http.get(node.url("/api/orders/v1-rejected?at_seq=3")).json().get("reason").asText());
        String refund = "ref_" + UUID.nameUUIDFromBytes("v1-rejected:refund".getBytes(StandardCharsets.UTF_8));
        assertEquals(refund, Http.get(node.url("/api/orders/v1-rejected?at_seq=4")).json().get("refund_id").asText());
        assertEquals(404, Http.get(node.url("/api/orders/v1-declined?at_seq=3")).status(), "a declined order ends");

        // The old order asked for again is the same order (recovered with its v1 events).
        Http.Reply again = Http.post(node.url("/api/orders"), "{\"order_id\":\"v1-approved\",\"customer_id\":\"c-1\","
            + "\"restaurant_id\":\"r-1\",\"order_items\":[{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":8.5,"
            + "\"quantity\":5}]}");
        assertEquals(201, again.status(), again.body());
        assertEquals(1795776556L, again.json().get("created_on").asLong());
        assertEquals("Approved", again.json().get("status").asText());
        assertEquals(409, Http.post(node.url("/api/orders"), Fixtures.approvable("v1-approved")).status(),
            "a different body under the old id conflicts");

        // The generic stream's old event is published to its own stream.
        List<MessageInfo> ledger = nats.messages("ledger");
        assertEquals(1, ledger.size());
        assertEquals("ledger.entry.posted", ledger.get(0).getSubject());
        assertEquals(Json.MAPPER.readTree("{\"amount\": 12.5}"), Json.MAPPER.readTree(ledger.get(0).getData()));

        ReadModelCheck.assertReadModelEqualsJournalReplay(node.node.system(), db);
      }
    }
  }
}
