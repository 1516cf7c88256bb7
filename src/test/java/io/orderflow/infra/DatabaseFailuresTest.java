package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** Which failures say the database is gone (reads then fail fast) and which only that it cannot serve now. */
class DatabaseFailuresTest {
  static final PSQLException REFUSED = new PSQLException("Connection to 127.0.0.1:5432 refused.",
      PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));

  @Test
  void aRefusedOrDroppedConnectionOrAShutdownIsAnOutage() {
    assertTrue(Database.isGone(REFUSED));
    assertTrue(Database.isGone(new CompletionException(new ConnectException("Connection refused"))));
    assertTrue(Database.isGone(new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
    assertTrue(Database.isGone(new SQLException("the database system is starting up", "57P03")));
    assertTrue(Database.isGone(new PSQLException("An I/O error occurred", PSQLState.CONNECTION_FAILURE)));
    // The pool gave up waiting because every attempt was refused: its exception carries the cause.
    assertTrue(Database.isGone(new SQLTransientConnectionException(
        "db - Connection is not available, request timed out after 2000ms.", "08001", REFUSED)));
  }

  @Test
  void aBusyPoolASlowReadOrOneTimedOutSessionIsNot() {
    SQLTransientConnectionException busy =
        new SQLTransientConnectionException("db - Connection is not available, request timed out after 2000ms.");
    assertFalse(Database.isGone(busy));
    assertTrue(Database.isUnavailable(busy), "still a 503");
    assertFalse(Database.isGone(new TimeoutException()));
    SQLException idleSession = new SQLException("FATAL: terminating connection due to idle-session timeout", "57P05");
    assertFalse(Database.isGone(idleSession));
    assertTrue(Database.isUnavailable(idleSession), "still a 503");
    // A fenced node refuses its own statements (08006): the database is not what is gone.
    WriteFence.FencedException fenced = new WriteFence.FencedException("it was frozen for 12 s");
    assertFalse(Database.isGone(fenced));
    assertTrue(Database.isUnavailable(fenced), "still a 503");
    SQLException tooMany = new SQLException("FATAL: sorry, too many clients already", "53300");
    assertFalse(Database.isGone(tooMany));
    assertTrue(Database.isUnavailable(tooMany), "still a 503");
    assertFalse(Database.isGone(new SQLException("duplicate key value violates unique constraint", "23505")));
    assertFalse(Database.isUnavailable(new SQLException("duplicate key value violates unique constraint", "23505")));
  }
}
