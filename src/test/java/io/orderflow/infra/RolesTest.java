package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RolesTest {
  static final java.util.Set<String> KNOWN = io.orderflow.Main.knownRoles();

  @Test
  void everyPartIsARoleAndEmptyMeansAll() {
    assertEquals(java.util.Set.of("shard", "http", "grpc", "publisher", "payment", "review", "stream-processor"), KNOWN);
    assertEquals(KNOWN, Roles.parse(" ", KNOWN).names());
  }

  @Test
  void subsetsAreParsedAndUnknownRolesRefused() {
    Roles r = Roles.parse("http, payment", KNOWN);
    assertTrue(r.has("http") && r.has("payment") && !r.has("shard"));
    var e = assertThrows(IllegalArgumentException.class, () -> Roles.parse("http,paymnt", KNOWN));
    assertTrue(e.getMessage().contains("unknown role 'paymnt'"));
  }
}
