package io.orderflow.infra.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.Pids;
import io.orderflow.testing.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One node at a time on a data directory: a second one is refused and touches nothing of the first. */
class DataDirLockIT {
  @TempDir Path dir;

  @Test
  void aSecondNodeOnTheSameDataDirectoryIsRefused() throws Exception {
    LocalServices.Settings settings = new LocalServices.Settings(dir, Ports.free(), true, Ports.free());
    try (LocalServices first = new LocalServices(settings); LocalServices second = new LocalServices(settings)) {
      String url = first.database(LocalServices.EMBEDDED, "postgres", "");
      long postmaster = first.postgresPid();
      assertTrue(Pids.running(postmaster));

      IOException refused = assertThrows(IOException.class, () -> second.database(LocalServices.EMBEDDED, "postgres", ""));
      assertTrue(refused.getMessage().contains("is in use by another orderflow node"), refused.getMessage());
      assertThrows(IOException.class, () -> second.nats(LocalServices.EMBEDDED));

      assertEquals(List.of(postmaster), Pids.find("postgres", dir.resolve("postgres").toString()), "one postmaster");
      assertTrue(url.endsWith(":" + settings.pgPort() + "/postgres"), url);
      first.close();
      assertTrue(!Pids.running(postmaster), "stopped with its node");
    }
  }
}
