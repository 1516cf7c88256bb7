package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The head only moves forward, and a waiter is woken exactly when it has moved past its position. */
class JournalHeadTest {

  @Test
  void aWaiterIsWokenOnceTheHeadIsPastItsPosition() {
    JournalHead head = new JournalHead();
    head.advance(5);
    assertEquals(5L, head.after(4).toCompletableFuture().getNow(null), "already past: at once");
    CompletableFuture<Long> atHead = head.after(5).toCompletableFuture();
    CompletableFuture<Long> beyond = head.after(7).toCompletableFuture();
    head.advance(5);
    head.advance(3);
    assertFalse(atHead.isDone(), "the head has not moved past 5");
    head.advance(6);
    assertEquals(6L, atHead.getNow(null));
    assertFalse(beyond.isDone(), "6 is not past 7");
    head.advance(9);
    assertEquals(9L, beyond.getNow(null));
    assertEquals(9L, head.after(3).toCompletableFuture().getNow(null), "an older position does not move it back");
  }

  @Test
  void withoutItsDaoTheJournalCannotBeRead() {
    var e = assertThrows(IllegalStateException.class, () -> new JournalHead().eventsByTag("slice-0", 0, 1, 10));
    assertTrue(e.getMessage().contains("jdbc-read-journal.dao"), e.getMessage());
  }
}
