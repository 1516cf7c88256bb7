package io.orderflow.infra.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded server's command line: durable unless asked not to be, loopback only. */
class EmbeddedPostgresTest {
  static final Path HOME = Path.of("/opt/pg");
  static final Path DATA = Path.of("/srv/data/postgres");

  @Test
  void durableByDefault() {
    List<String> cmd = EmbeddedPostgres.serverCommand(HOME, DATA, 54329, true);
    assertEquals(List.of("/opt/pg/bin/postgres", "-D", "/srv/data/postgres", "-p", "54329"), cmd.subList(0, 5));
    assertTrue(cmd.containsAll(List.of("fsync=on", "synchronous_commit=on", "full_page_writes=on")), cmd.toString());
    assertTrue(!cmd.contains("-F"), "no -F (fsync off)");
    assertTrue(cmd.contains("listen_addresses=127.0.0.1"), cmd.toString());
  }

  @Test
  void theUnsafeModeIsAllOrNothing() {
    List<String> cmd = EmbeddedPostgres.serverCommand(HOME, DATA, 54329, false);
    assertTrue(cmd.containsAll(List.of("fsync=off", "synchronous_commit=off", "full_page_writes=off")), cmd.toString());
  }
}
