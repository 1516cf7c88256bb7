package io.orderflow.eventstore;

import io.orderflow.infra.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Table {@code event_index}: which journal stream holds an event id, and an aggregate id's streams. */
public final class EventIndex {
  private final Database db;

  public EventIndex(Database db) {
    this.db = db;
  }

  /** Where {@code eventId} lives: its journal stream, and its sequence number there (0: not known). */
  public CompletionStage<Void> record(String eventId, String aggregateType, String aggregateId,
      String persistenceId, long seqNr) {
    return db.inTransactionAsync(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO event_index (event_id, persistence_id, aggregate_id, aggregate_type, seq_nr)"
              + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, persistence_id) DO NOTHING")) {
        ps.setString(1, eventId);
        ps.setString(2, persistenceId);
        ps.setString(3, aggregateId);
        ps.setString(4, aggregateType);
        ps.setLong(5, seqNr);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public CompletionStage<List<EventId>> locate(String eventId) {
    return db.inTransactionAsync(c -> {
      List<EventId> found = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT persistence_id, seq_nr FROM event_index WHERE event_id = ? ORDER BY persistence_id")) {
        ps.setString(1, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) found.add(new EventId(rs.getString(1), rs.getLong(2)));
        }
      }
      return found;
    });
  }

  /** Persistence ids of the generic streams of an aggregate id (any aggregate type). */
  public CompletionStage<List<String>> streamsOf(String aggregateId) {
    return db.inTransactionAsync(c -> {
      List<String> found = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT DISTINCT persistence_id FROM event_index WHERE aggregate_id = ? ORDER BY persistence_id")) {
        ps.setString(1, aggregateId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) found.add(rs.getString(1));
        }
      }
      return found;
    });
  }
}
