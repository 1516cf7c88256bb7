package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RolesTest {
  @Test
  void emptyMeansEveryPart() {
    assertEquals(Roles.ALL, Roles.parse(" ").names());
  }

  @Test
  void subsetsAreParsedAndUnknownRolesRefused() {
    Roles r = Roles.parse("http, payment");
    assertTrue(r.has("http") && r.has("payment") && !r.has("shard"));
    var e = assertThrows(IllegalArgumentException.class, () -> Roles.parse("http,paymnt"));
    assertTrue(e.getMessage().contains("unknown role 'paymnt'"));
  }
}
