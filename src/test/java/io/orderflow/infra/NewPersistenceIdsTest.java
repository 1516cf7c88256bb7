package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NewPersistenceIdsTest {
  @Test
  void aMarkIsTakenByTheFirstRecoveryOnly() {
    NewPersistenceIds ids = new NewPersistenceIds();
    ids.add("Order|a");
    assertTrue(ids.take("Order|a"));
    assertFalse(ids.take("Order|a"), "a second recovery of the id asks the journal");
    assertFalse(ids.take("Order|b"), "an id never marked is not new");
    assertEquals(1, ids.taken());
  }

  @Test
  void aForgottenMarkDoesNotCount() {
    NewPersistenceIds ids = new NewPersistenceIds();
    ids.add("Order|c");
    ids.forget("Order|c"); // the create's ask completed without a recovery here
    assertFalse(ids.take("Order|c"), "a recovery after the ask asks the journal");
    assertEquals(0, ids.taken());
  }
}
