package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NewPersistenceIdsTest {
  static final Duration AWHILE = Duration.ofMinutes(1);

  @Test
  void aMarkIsTakenOnce() {
    NewPersistenceIds ids = new NewPersistenceIds(10);
    ids.add("Order|a", AWHILE);
    assertTrue(ids.take("Order|a"));
    assertFalse(ids.take("Order|a"), "a second recovery of the id asks the journal");
    assertFalse(ids.take("Order|b"), "an id never marked is not new");
  }

  @Test
  void aMarkPastItsDeadlineDoesNotCount() {
    NewPersistenceIds ids = new NewPersistenceIds(10);
    ids.add("Order|late", Duration.ZERO);
    assertFalse(ids.take("Order|late"), "its entity may have been journaled on another node by now");
  }

  @Test
  void theOldestMarksAreForgottenBeyondTheCapacity() {
    NewPersistenceIds ids = new NewPersistenceIds(2);
    ids.add("Order|1", AWHILE);
    ids.add("Order|2", AWHILE);
    ids.add("Order|3", AWHILE);
    assertFalse(ids.take("Order|1"), "forgotten: its recovery queries, as without the mark");
    assertTrue(ids.take("Order|2"));
    assertTrue(ids.take("Order|3"));
  }
}
